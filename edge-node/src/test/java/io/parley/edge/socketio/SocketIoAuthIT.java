/*
 * SocketIoAuthIT owns the proof of authentication on /socket.io/ with the stock socket.io-client
 * and tokens from npm jsonwebtoken (no kid): CONNECT with auth {token} on both transport modes;
 * first-message auth (CONNECT without a token, then emit('auth', token) answered in the ack and by
 * auth-success; anything else first is refused; no auth in time: an AUTH_TIMEOUT "error" event and
 * a server disconnect); a token expiring on an open socket (token-expiring; refresh with the same
 * sub keeps it; unrefreshed: an "error" event and a server disconnect, "io server disconnect").
 */
package io.parley.edge.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.event.UserEvent;
import io.parley.edge.EdgeConfig;
import io.parley.edge.EdgeNode;
import io.parley.edge.auth.NodeJwt;
import io.parley.edge.auth.SessionAuthConfig;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SocketIoAuthIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    /**
     * Lifetime of the tokens that are meant to expire during a test: long enough that minting, starting
     * a client and connecting on a loaded machine still leave the warning and the refresh before the
     * expiry (a few seconds did not, with a Node.js process to start); the tests wait for it anyway.
     */
    private static final long SHORT_LIVED_S = 12;

    private static RecordingPublisher publisher;
    private static EdgeNode node;
    /** Auth timeout 300 ms. */
    private static EdgeNode strict;

    @BeforeAll
    static void start() {
        publisher = new RecordingPublisher();
        node = new EdgeNode(EdgeConfig.forTest(AUTH, 1000, 1000), new TokenVerifier(AUTH), publisher).start(() -> true);
        strict = new EdgeNode(EdgeConfig.forTest(AUTH, 1000, 1000).withSessionAuth(new SessionAuthConfig(300, 30_000)),
                new TokenVerifier(AUTH), new RecordingPublisher()).start(() -> true);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
        if (strict != null) {
            strict.stop();
        }
    }

    private static String url(EdgeNode edge) {
        return "http://127.0.0.1:" + edge.port();
    }

    private static String jwt(String sub, long seconds) {
        return NodeJwt.hs256(SECRET, Map.of("sub", sub, "name", "Display " + sub), seconds);
    }

    private static List<String> transports(String mode) {
        return mode.equals("default") ? null : List.of("websocket");
    }

    @ParameterizedTest(name = "transports: {0}")
    @ValueSource(strings = {"default", "websocket"})
    void aStandardLibraryTokenConnects(String mode) {
        String user = "sio-jwt-" + mode;
        try (NodeSioClient client = NodeSioClient.start(url(node), jwt(user, 300), transports(mode))) {
            client.next("connect");
            assertThat(client.request("ping").path("success").booleanValue()).isTrue();
            await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                    .anyMatch(e -> e.userId().equals(user) && e.body() instanceof UserEvent.Connected));
        }
    }

    @ParameterizedTest(name = "transports: {0}")
    @ValueSource(strings = {"default", "websocket"})
    void aConnectWithoutATokenAuthenticatesWithItsFirstEvent(String mode) {
        String user = "sio-first-" + mode;
        String token = jwt(user, 300);
        try (NodeSioClient client = NodeSioClient.start(url(node), null, transports(mode))) {
            client.next("connect");
            JsonNode refused = client.request("join-room", "lobby");
            assertThat(refused.path("success").booleanValue()).isFalse();
            assertThat(refused.at("/code").asText()).isEqualTo("AUTHENTICATION_FAILED");

            JsonNode ack = client.request("auth", token);
            assertThat(ack.path("success").booleanValue()).isTrue();
            assertThat(ack.at("/data/userId").asText()).isEqualTo(user);
            assertThat(client.nextEvent("auth-success").at("/args/0/userId").asText()).isEqualTo(user);
            assertThat(client.request("ping").path("success").booleanValue()).isTrue();
            await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                    .anyMatch(e -> e.userId().equals(user) && e.body() instanceof UserEvent.Connected));
        }
    }

    @Test
    void noAuthInTimeIsAnAuthTimeoutAndAServerDisconnect() {
        try (NodeSioClient client = NodeSioClient.start(url(strict), null, List.of("websocket"))) {
            client.next("connect");
            assertThat(client.nextEvent("error").at("/args/0/code").asText()).isEqualTo("AUTH_TIMEOUT");
            assertThat(client.next("disconnect").path("reason").asText()).isEqualTo("io server disconnect");
        }
    }

    @Test
    void anExpiringTokenIsAnnouncedAndRefreshedWithTheSameUserKeepsTheSocket() {
        String fresh = jwt("sio-rita", 300);
        String otherUser = jwt("sio-other", 300);
        try (NodeSioClient client = NodeSioClient.start(url(node), jwt("sio-rita", SHORT_LIVED_S), List.of("websocket"))) {
            client.next("connect");
            long oldExpiry = client.nextEvent("token-expiring").at("/args/0/expiresAt").asLong();
            assertThat(oldExpiry).isPositive();
            assertThat(client.request("refresh", Map.of("token", otherUser)).at("/code").asText())
                    .isEqualTo("AUTHORIZATION_FAILED");
            JsonNode renewed = client.request("refresh", Map.of("token", fresh));
            assertThat(renewed.path("success").booleanValue()).isTrue();
            assertThat(renewed.at("/data/expiresAt").asLong()).isGreaterThan(oldExpiry);
            await().atMost(30, TimeUnit.SECONDS).until(() -> System.currentTimeMillis() > oldExpiry + 1_000);
            assertThat(client.request("ping").path("success").booleanValue()).isTrue();
        }
    }

    @Test
    void anUnrefreshedTokenEndsTheSocketWithAServerDisconnect() {
        try (NodeSioClient client = NodeSioClient.start(url(node), jwt("sio-lou", SHORT_LIVED_S), List.of("websocket"))) {
            client.next("connect");
            client.nextEvent("token-expiring");
            JsonNode error = client.nextEvent("error").at("/args/0");
            assertThat(error.path("code").asText()).isEqualTo("AUTHENTICATION_FAILED");
            assertThat(error.path("message").asText()).isEqualTo("token expired");
            assertThat(client.next("disconnect").path("reason").asText()).isEqualTo("io server disconnect");
        }
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                .anyMatch(e -> e.userId().equals("sio-lou") && e.body() instanceof UserEvent.Disconnected));
    }
}
