/*
 * OpsIT owns the in-process proof of the edge node's operations surface on a real Helidon server
 * (a recording publisher instead of Kafka): /metrics in the Prometheus text format, /ready, the
 * admin API's credential check, and the drain: from SIGTERM's stop() on, /ready is 503, new
 * sockets are refused, commands are answered UNAVAILABLE, and open sockets are closed with 1001
 * after what was queued for them.
 */
package io.parley.edge;

import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.edge.metrics.OpsConfig;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class OpsIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN = "ops-it-admin-secret";

    private EdgeNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.stop();
        }
    }

    private EdgeNode start(long drainGraceMs) {
        node = new EdgeNode(EdgeConfig.forTest(AUTH, 100, 1000), new TokenVerifier(AUTH), new RecordingPublisher(),
                new OpsConfig(ADMIN, drainGraceMs, 10_000, 1_000)).start(() -> true);
        return node;
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final class Client implements WebSocket.Listener {
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        volatile int closeCode = -1;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            received.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            return null;
        }
    }

    private WebSocket connect(Client client) {
        return HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + ISSUER.mint("ann", Duration.ofMinutes(5)))
                .buildAsync(URI.create("ws://127.0.0.1:" + node.port() + "/ws"), client).join();
    }

    @Test
    void metricsReadinessAndTheAdminCredential() throws Exception {
        start(0);
        HttpResponse<String> metrics = get("/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(metrics.body()).contains("# TYPE parley_edge_delivery_latency_seconds histogram")
                .contains("parley_edge_connections{process=\"edge\",protocol=\"native\"}")
                .contains("jvm_memory_used_bytes");
        assertThat(get("/ready", null).statusCode()).isEqualTo(200);
        assertThat(get("/admin/users/ann", null).statusCode()).isEqualTo(401);
        assertThat(get("/admin/users/ann", ISSUER.mint("ann", Duration.ofMinutes(5))).statusCode()).isEqualTo(403);
        assertThat(get("/admin/users/ann", ADMIN).statusCode()).isEqualTo(200);
    }

    @Test
    void theDrainStopsAcceptingAnswersUnavailableAndClosesWithGoingAway() throws Exception {
        start(2_000);
        Client client = new Client();
        WebSocket ws = connect(client);
        await().atMost(10, TimeUnit.SECONDS).until(() -> node.connectionCount() == 1);

        Thread stopping = Thread.ofPlatform().start(node::stop);
        await().atMost(10, TimeUnit.SECONDS).until(() -> get("/ready", null).statusCode() == 503);
        assertThat(get("/ready", null).body()).contains("draining");
        assertThat(get("/health", null).statusCode()).as("still alive while draining").isEqualTo(200);

        // No new socket (native, or a new Engine.IO session).
        assertThatThrownBy(() -> connect(new Client())).isInstanceOf(CompletionException.class);
        assertThat(get("/socket.io/?EIO=4&transport=polling", null).statusCode()).isEqualTo(503);

        // The open socket: commands refused with UNAVAILABLE, then closed with 1001.
        ws.sendText("{\"op\":\"join-room\",\"ref\":\"1\",\"data\":{\"roomId\":\"lobby\"}}", true).join();
        String reply = client.received.poll(10, TimeUnit.SECONDS);
        assertThat(reply).contains("\"ref\":\"1\"").contains("UNAVAILABLE");
        stopping.join(TimeUnit.SECONDS.toMillis(30));
        await().atMost(10, TimeUnit.SECONDS).until(() -> client.closeCode == 1001);
    }
}
