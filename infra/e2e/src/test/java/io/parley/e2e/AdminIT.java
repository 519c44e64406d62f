/*
 * AdminIT owns the end-to-end check of the edge node's inspection API: it refuses a missing
 * credential and a user's token, answers the admin credential with what the node knows about a
 * connection, a room and a user, and disconnects a user's connections on request.
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
import java.util.concurrent.TimeUnit;

import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class AdminIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> call(ParleyCluster parley, String method, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + parley.services.config().edgePorts().get(0) + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void inspectionRefusesUserTokensAndAnswersTheAdminCredential(ParleyCluster parley) throws Exception {
        String user = TestStack.uniqueName("inspected");
        String room = TestStack.uniqueName("inspected-room");
        try (WsClient client = parley.connect(user, 1);
             WsClient other = parley.connect(user, 1)) {
            assertThat(client.request("join-room", data("roomId", room)).path("ok").asBoolean()).isTrue();

            assertThat(call(parley, "GET", "/admin/users/" + user, null).statusCode()).isEqualTo(401);
            assertThat(call(parley, "GET", "/admin/users/" + user, parley.token(user)).statusCode())
                    .as("a user's JWT is not an admin credential").isEqualTo(403);
            assertThat(call(parley, "DELETE", "/admin/users/" + user, parley.token(user)).statusCode()).isEqualTo(403);
            assertThat(client.isOpen()).isTrue();

            HttpResponse<String> userView = call(parley, "GET", "/admin/users/" + user, ParleyCluster.ADMIN_TOKEN);
            assertThat(userView.statusCode()).isEqualTo(200);
            JsonNode userBody = Json.MAPPER.readTree(userView.body());
            assertThat(userBody.path("node").asText()).isEqualTo("edge-1");
            assertThat(userBody.path("connections")).hasSize(2);
            JsonNode joined = null;
            for (JsonNode c : userBody.path("connections")) {
                assertThat(c.path("userId").asText()).isEqualTo(user);
                assertThat(c.path("protocol").asText()).isEqualTo("native");
                assertThat(c.path("connectedAt").asText()).isNotBlank();
                assertThat(c.path("queueDepth").asInt(-1)).isGreaterThanOrEqualTo(0);
                if (c.path("rooms").size() == 1) {
                    joined = c;
                }
            }
            assertThat(joined).as("the connection that joined lists its room").isNotNull();
            assertThat(joined.path("rooms").get(0).asText()).isEqualTo(room);

            String connectionId = joined.path("connectionId").asText();
            HttpResponse<String> connectionView = call(parley, "GET", "/admin/connections/" + connectionId, ParleyCluster.ADMIN_TOKEN);
            assertThat(connectionView.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(connectionView.body()).path("userId").asText()).isEqualTo(user);
            assertThat(call(parley, "GET", "/admin/connections/no-such-connection", ParleyCluster.ADMIN_TOKEN).statusCode())
                    .isEqualTo(404);

            HttpResponse<String> roomView = call(parley, "GET", "/admin/rooms/" + room, ParleyCluster.ADMIN_TOKEN);
            assertThat(roomView.statusCode()).isEqualTo(200);
            JsonNode roomBody = Json.MAPPER.readTree(roomView.body());
            assertThat(roomBody.path("localUsers")).extracting(JsonNode::asText).containsExactly(user);
            // Membership by user: the user's other device gets the room too, subscribed by the processors without a join.
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> assertThat(Json.MAPPER.readTree(
                    call(parley, "GET", "/admin/rooms/" + room, ParleyCluster.ADMIN_TOKEN).body()).path("localConnections")).hasSize(2));
            // The room's online members come from the presence view (written by the processors).
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> assertThat(Json.MAPPER.readTree(
                            call(parley, "GET", "/admin/rooms/" + room, ParleyCluster.ADMIN_TOKEN).body()).path("online"))
                    .extracting(u -> u.path("userId").asText()).containsExactly(user));

            HttpResponse<String> disconnected = call(parley, "DELETE", "/admin/users/" + user, ParleyCluster.ADMIN_TOKEN);
            assertThat(disconnected.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(disconnected.body()).path("disconnected")).hasSize(2);
            assertThat(client.awaitClose()).isEqualTo(1008);
            assertThat(other.awaitClose()).isEqualTo(1008);
            assertThat(Json.MAPPER.readTree(call(parley, "GET", "/admin/users/" + user, ParleyCluster.ADMIN_TOKEN).body())
                    .path("connections")).isEmpty();
        }
    }
}
