/*
 * ConnectionLimitsIT owns the end-to-end proof of the connection limits on the real stack: a
 * user's connection over PARLEY_MAX_CONNECTIONS_PER_USER on the other edge node is told
 * CONNECTION_LIMIT and closed (4429) by the presence stage's decision while the first ones keep
 * working; one over the limit on the same node is refused at the upgrade (503); a node at
 * PARLEY_EDGE_MAX_CONNECTIONS refuses the next /ws upgrade (503, JSON CONNECTION_LIMIT with
 * retryAfterMs) and the next Socket.IO CONNECT (connect_error CONNECTION_LIMIT).
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.CloseCodes;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ParleyStackExtension.class)
class ConnectionLimitsIT {
    private static ParleyCluster parley;

    @BeforeAll
    static void start(TestStack stack) {
        parley = ParleyCluster.limits(stack);
    }

    @AfterAll
    static void stop() {
        if (parley != null) {
            parley.close();
        }
    }

    @Test
    void theConnectionOverTheUserLimitOnTheOtherNodeIsClosedAndTheNodeLimitRefusesTheNext() throws Exception {
        assertThat(ParleyCluster.LIMIT_PER_USER).isEqualTo(2);
        String alice = TestStack.uniqueName("limit-alice");
        String room = TestStack.uniqueName("limits");
        try (WsClient a1 = parley.connect(alice, 1); WsClient a2 = parley.connect(alice, 1)) {
            // Each counted by the presence stage before the next connects (its connected was published first).
            for (WsClient client : new WsClient[] {a1, a2}) {
                assertOk(client.request("join-room", data("roomId", room)));
                assertOk(client.request("send-message", data("roomId", room, "content", "hi from " + client.name)));
            }

            // The third on the other node: admitted there (alice has none on it), then closed by the presence stage.
            try (WsClient a3 = parley.connect(alice, 2)) {
                JsonNode refused = a3.nextUnmatchedReply();
                assertThat(refused.path("error").path("code").asText()).isEqualTo("CONNECTION_LIMIT");
                assertThat(refused.path("error").path("retryAfterMs").asLong()).isPositive();
                assertThat(a3.awaitClose()).isEqualTo(CloseCodes.CONNECTION_LIMIT);
            }
            // The first ones keep working.
            assertOk(a1.request("send-message", data("roomId", room, "content", "still here")));
            assertThat(a2.nextEvent(e -> "new-message".equals(e.path("event").asText())
                    && "still here".equals(e.path("data").path("content").asText()))).isNotNull();

            // A third on the same node: refused at the upgrade.
            assertThat(WsClient.refusedStatus(parley.services.edgeUrl(0), parley.token(alice))).isEqualTo(503);

            // Node limit (4): two more users fill edge 1, the next is refused on both protocols.
            try (WsClient bob = parley.connect(TestStack.uniqueName("limit-bob"), 1);
                 WsClient carol = parley.connect(TestStack.uniqueName("limit-carol"), 1)) {
                String dave = TestStack.uniqueName("limit-dave");
                assertThat(WsClient.refusedStatus(parley.services.edgeUrl(0), parley.token(dave))).isEqualTo(503);
                String http = "http://127.0.0.1:" + parley.services.config().edgePorts().get(0) + "/ws";
                HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http))
                        .header("Authorization", "Bearer " + parley.token(dave)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(plain.statusCode()).isEqualTo(503);
                JsonNode body = Json.MAPPER.readTree(plain.body()).path("error");
                assertThat(body.path("code").asText()).isEqualTo("CONNECTION_LIMIT");
                assertThat(body.path("retryAfterMs").asLong()).isPositive();
                try (NodeSioClient sio = NodeSioClient.start("http://127.0.0.1:" + parley.services.config().edgePorts().get(0),
                        parley.token(dave), java.util.List.of("websocket"))) {
                    JsonNode error = sio.next("connect_error");
                    assertThat(error.path("data").path("code").asText()).isEqualTo("CONNECTION_LIMIT");
                }
                // The other node is not full: dave connects there.
                try (WsClient elsewhere = parley.connect(dave, 2)) {
                    assertOk(elsewhere.request("join-room", data("roomId", room)));
                }
                assertOk(bob.request("join-room", data("roomId", room)));
                assertOk(carol.request("join-room", data("roomId", room)));
            }
        }
    }

    private static void assertOk(JsonNode reply) {
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
    }
}
