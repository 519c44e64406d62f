/*
 * LeaseResetIT owns the in-process proof of what an edge node does when the processors tell it its
 * lease was expired (Delivery.LeaseExpired, handed to the node's delivery handler as the deliveries
 * consumer would): a new boot id first, then every socket of the expired boot closed with 4503
 * (their leaves and disconnects published), sockets opened afterwards untouched, the next heartbeat
 * with the new boot id, and a notice for an older boot ignored.
 */
package io.parley.edge;

import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.wire.CloseCodes;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LeaseResetIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RecordingPublisher publisher;
    private EdgeNode node;

    @BeforeEach
    void start() {
        publisher = new RecordingPublisher();
        node = new EdgeNode(EdgeConfig.forTest(AUTH, 20, 1000), new TokenVerifier(AUTH), publisher).start(() -> true);
    }

    @AfterEach
    void stop() {
        node.stop();
    }

    private NativeWsIT.Client connect(String userId) {
        NativeWsIT.Client client = new NativeWsIT.Client();
        client.ws = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + ISSUER.mint(userId, Duration.ofMinutes(5)))
                .buildAsync(URI.create("ws://127.0.0.1:" + node.port() + "/ws"), client).join();
        return client;
    }

    @Test
    void theExpiredBootsSocketsCloseWith4503AndLaterOnesStay() {
        String boot = node.bootId();
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.heartbeats.stream().anyMatch(h -> boot.equals(h.bootId())));
        NativeWsIT.Client alice = connect("alice");
        alice.send("{\"op\":\"join-room\",\"ref\":\"1\",\"data\":{\"roomId\":\"lobby\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.roomCommands.stream()
                .anyMatch(c -> c.userId().equals("alice") && c.body() instanceof RoomCommand.Join));
        String aliceConnection = publisher.roomCommands.getLast().connectionId();
        assertThat(aliceConnection).isGreaterThan(boot);

        node.deliveries().handle(new Delivery("edge-test", 0, new Delivery.LeaseExpired(boot)));

        await().atMost(Duration.ofSeconds(30)).until(() -> alice.closeCode == CloseCodes.RECONNECT);
        String next = node.bootId();
        assertThat(next).isNotEqualTo(boot).isGreaterThan(aliceConnection);
        assertThat(node.leaseResets()).isEqualTo(1);
        // Its leaves and disconnect were published (no-ops for the processors, which dropped them).
        assertThat(publisher.roomCommands).anySatisfy(c -> {
            assertThat(c.connectionId()).isEqualTo(aliceConnection);
            assertThat(c.body()).isEqualTo(new RoomCommand.Leave("disconnect"));
        });
        assertThat(publisher.userEvents).anySatisfy(e -> {
            assertThat(e.connectionId()).isEqualTo(aliceConnection);
            assertThat(e.body()).isInstanceOf(UserEvent.Disconnected.class);
        });
        // The next heartbeat (sent at once) carries the new boot id.
        await().atMost(Duration.ofSeconds(30)).until(() -> next.equals(publisher.heartbeats.getLast().bootId()));

        // A socket of the new boot is not touched by a repeated notice for the old boot.
        NativeWsIT.Client bob = connect("bob");
        bob.send("{\"op\":\"join-room\",\"ref\":\"1\",\"data\":{\"roomId\":\"lobby\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.roomCommands.stream()
                .anyMatch(c -> c.userId().equals("bob") && c.body() instanceof RoomCommand.Join));
        node.deliveries().handle(new Delivery("edge-test", 0, new Delivery.LeaseExpired(boot)));
        assertThat(node.leaseResets()).isEqualTo(1);
        assertThat(node.bootId()).isEqualTo(next);
        assertThat(node.connectionCount()).isEqualTo(1);
        assertThat(bob.closeCode).isEqualTo(-1);
        bob.close();
    }
}
