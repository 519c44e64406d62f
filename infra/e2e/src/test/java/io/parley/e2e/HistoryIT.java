package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.infra.stack.ServiceNode;
import io.parley.infra.stack.StackConfig;
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
import java.util.Map;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** History through the real path: messages sent on a socket, read back over HTTP from Cassandra. */
@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class HistoryIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void historyPaginatesInOrderAndSurvivesARestartAndAReplayIntoAnEmptyKeyspace(ParleyCluster parley) throws Exception {
        String room = TestStack.uniqueName("hist");
        String user = TestStack.uniqueName("h");
        int count = 25;
        List<Long> seqs = new ArrayList<>();
        try (WsClient client = parley.connect(user, 1)) {
            assertOk(client.request("join-room", data("roomId", room)));
            for (int i = 0; i < count; i++) {
                JsonNode ack = client.request("send-message", data("roomId", room, "content", "line " + i));
                assertOk(ack);
                seqs.add(ack.path("data").path("seq").asLong());
            }
        }
        String base = parley.services.historyUrl();
        String token = parley.token(user);

        await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                assertThat(seqsOf(get(base, room, "limit=200", token))).containsExactlyElementsOf(seqs));

        List<JsonNode> pages = walkBackwards(base, room, token, 10);
        assertThat(pages).hasSize(3);
        assertThat(seqsOf(pages.get(0))).containsExactlyElementsOf(seqs.subList(15, 25));
        assertThat(seqsOf(pages.get(1))).containsExactlyElementsOf(seqs.subList(5, 15));
        assertThat(seqsOf(pages.get(2))).containsExactlyElementsOf(seqs.subList(0, 5));
        assertThat(textsOf(get(base, room, "after=" + seqs.get(9) + "&limit=3", token)))
                .containsExactly("line 10", "line 11", "line 12");
        JsonNode all = get(base, room, "limit=200", token);

        parley.services.restartHistory();
        assertThat(get(parley.services.historyUrl(), room, "limit=200", token)).isEqualTo(all);

        String emptyKeyspace = parley.stack.newKeyspace();
        int port = StackConfig.freePorts(1)[0];
        try (ServiceNode replay = parley.services.launchHistory("history-replay", Map.of(
                "PARLEY_CASSANDRA_KEYSPACE", emptyKeyspace,
                "PARLEY_HISTORY_GROUP_ID", TestStack.uniqueName("replay"),
                "PARLEY_HISTORY_PORT", Integer.toString(port)))) {
            String replayBase = "http://127.0.0.1:" + port;
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(get(replayBase, room, "limit=200", token)).isEqualTo(all));
        }
    }

    @Test
    void historyRefusesAMissingToken(ParleyCluster parley) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(parley.services.historyUrl() + "/v1/rooms/any/messages")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("AUTHENTICATION_FAILED");
    }

    private static List<JsonNode> walkBackwards(String base, String room, String token, int limit) throws Exception {
        List<JsonNode> pages = new ArrayList<>();
        String query = "limit=" + limit;
        while (true) {
            JsonNode page = get(base, room, query, token);
            pages.add(page);
            if (!page.path("hasMore").asBoolean() || page.path("messages").isEmpty()) {
                return pages;
            }
            query = "before=" + page.path("messages").get(0).path("seq").asLong() + "&limit=" + limit;
        }
    }

    private static JsonNode get(String base, String room, String query, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(base + "/v1/rooms/" + room + "/messages?" + query))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private static List<Long> seqsOf(JsonNode page) {
        List<Long> seqs = new ArrayList<>();
        page.path("messages").forEach(m -> seqs.add(m.path("seq").asLong()));
        return seqs;
    }

    private static List<String> textsOf(JsonNode page) {
        List<String> texts = new ArrayList<>();
        page.path("messages").forEach(m -> texts.add(m.path("content").asText()));
        return texts;
    }
}
