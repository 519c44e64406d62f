/*
 * ReadIT owns the end-to-end proof of read positions on the real stack: mark-read moves forward
 * only (a lower seq is acknowledged with the current position, no error, no broadcast), the other
 * members get messages-read, the history API returns the caller's position with the messages and
 * every member's on request, and after a restart of every Parley process (processors, history
 * store, both edge nodes) the position is still there, in Cassandra and in the processors.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class ReadIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static JsonNode markRead(WsClient client, String room, long seq) {
        JsonNode request = data("roomId", room);
        ((com.fasterxml.jackson.databind.node.ObjectNode) request).put("seq", seq);
        return client.request("mark-read", (com.fasterxml.jackson.databind.node.ObjectNode) request);
    }

    private static JsonNode get(String url, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    @Test
    void markReadMovesForwardOnlyReachesTheOthersAndSurvivesARestartOfEveryProcess(ParleyCluster parley) throws Exception {
        String room = TestStack.uniqueName("read");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        List<Long> seqs = new ArrayList<>();
        try (WsClient a = parley.connect(alice, 1); WsClient b = parley.connect(bob, 2)) {
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(b.request("join-room", data("roomId", room)));
            for (int i = 0; i < 3; i++) {
                JsonNode ack = a.request("send-message", data("roomId", room, "content", "m" + i));
                assertOk(ack);
                seqs.add(ack.path("data").path("seq").asLong());
            }

            JsonNode ack = markRead(b, room, seqs.get(1));
            assertOk(ack);
            assertThat(ack.path("data").path("readSeq").asLong()).isEqualTo(seqs.get(1));
            JsonNode read = a.nextEvent(e -> "messages-read".equals(e.path("event").asText()));
            assertThat(read.path("data").path("userId").asText()).isEqualTo(bob);
            assertThat(read.path("data").path("readSeq").asLong()).isEqualTo(seqs.get(1));

            JsonNode lower = markRead(b, room, seqs.get(0)); // ignored without error
            assertOk(lower);
            assertThat(lower.path("data").path("readSeq").asLong()).isEqualTo(seqs.get(1));

            assertOk(markRead(b, room, seqs.get(2)));
            // The next messages-read alice gets is the forward move: the lower one was not broadcast.
            JsonNode next = a.nextEvent(e -> "messages-read".equals(e.path("event").asText()));
            assertThat(next.path("data").path("readSeq").asLong()).isEqualTo(seqs.get(2));

            JsonNode past = markRead(b, room, seqs.get(2) + 1_000);
            assertThat(past.path("error").path("code").asText()).isEqualTo("INVALID_MESSAGE");
            try (WsClient outsider = parley.connect(TestStack.uniqueName("mallory"), 1)) {
                assertThat(markRead(outsider, room, 1).path("error").path("code").asText()).isEqualTo("AUTHORIZATION_FAILED");
            }
        }

        String bobToken = parley.token(bob);
        await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
            assertThat(get(parley.services.historyUrl() + "/v1/rooms/" + room + "/messages?limit=50", bobToken)
                    .path("readSeq").asLong()).isEqualTo(seqs.get(2));
        });
        JsonNode positions = get(parley.services.historyUrl() + "/v1/rooms/" + room + "/read-positions", bobToken);
        assertThat(positions.path("positions")).singleElement().satisfies(p -> {
            assertThat(p.path("userId").asText()).isEqualTo(bob);
            assertThat(p.path("readSeq").asLong()).isEqualTo(seqs.get(2));
        });
        assertThat(get(parley.services.historyUrl() + "/v1/rooms/" + room + "/messages?limit=50", parley.token(alice))
                .path("readSeq").asLong()).isZero();

        // Every Parley process restarts.
        parley.services.restartProcessors();
        parley.services.restartHistory();
        parley.services.restartEdge(0);
        parley.services.restartEdge(1);

        JsonNode after = get(parley.services.historyUrl() + "/v1/rooms/" + room + "/messages?limit=50", bobToken);
        assertThat(after.path("readSeq").asLong()).isEqualTo(seqs.get(2));
        assertThat(after.path("messages")).hasSize(3);
        try (WsClient b = parley.connect(bob, 1)) {
            assertOk(b.request("join-room", data("roomId", room)));
            JsonNode again = markRead(b, room, seqs.get(0)); // the processors remember the position too
            assertOk(again);
            assertThat(again.path("data").path("readSeq").asLong()).isEqualTo(seqs.get(2));
        }
    }
}
