/*
 * RoomAuthorizationIT owns the end-to-end proof that every read path of a room is for its members
 * only: a user who knows a room's id but never joined it gets AUTHORIZATION_FAILED for online users,
 * typing, mark-read and sending (over /ws and /socket.io/), 403 for history and read positions
 * (HTTP), and none of the room's messages, typing, read positions or presence, on either edge node.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class RoomAuthorizationIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SECRET_TEXT = "the secret plan";

    private static void assertRefused(JsonNode reply) {
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isFalse();
        assertThat(reply.path("error").path("code").asText()).as("reply %s", reply).isEqualTo("AUTHORIZATION_FAILED");
        assertThat(reply.path("data").isMissingNode() || reply.path("data").isNull()).as("reply %s", reply).isTrue();
    }

    /** Seed 004's failure ack: {success:false, error:<message>, code}. */
    private static void assertSioRefused(JsonNode ack) {
        assertThat(ack.path("success").asBoolean()).as("ack %s", ack).isFalse();
        assertThat(ack.path("code").asText()).as("ack %s", ack).isEqualTo("AUTHORIZATION_FAILED");
        assertThat(ack.path("data").isMissingNode() || ack.path("data").isNull()).as("ack %s", ack).isTrue();
    }

    private static ObjectNode markRead(String room, long seq) {
        ObjectNode data = data("roomId", room);
        data.put("seq", seq);
        return data;
    }

    @Test
    void aNonMemberWhoKnowsTheIdGetsNothingOfTheRoomOverWsSocketIoAndHttp(ParleyCluster parley) throws Exception {
        String room = TestStack.uniqueName("secret");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        String mallory = TestStack.uniqueName("mallory");
        String trudy = TestStack.uniqueName("trudy");
        String carol = TestStack.uniqueName("carol");
        String history = parley.services.historyUrl() + "/v1/rooms/" + room;
        try (WsClient a = parley.connect(alice, 1);
             NodeSioClient b = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(bob), List.of("websocket"));
             WsClient m = parley.connect(mallory, 1);
             NodeSioClient t = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(trudy), List.of("websocket"));
             WsClient c = parley.connect(carol, 2)) {
            t.next("connect");
            b.next("connect");
            assertOk(a.request("join-room", data("roomId", room)));
            assertThat(b.request("join-room", Map.of("roomId", room)).path("success").asBoolean()).isTrue();
            assertOk(c.request("join-room", data("roomId", room)));
            JsonNode sent = a.request("send-message", data("roomId", room, "content", SECRET_TEXT));
            assertOk(sent);
            long seq = sent.path("data").path("seq").asLong();

            // The members read it all.
            assertOk(a.request("get-online-users", data("roomId", room)));
            assertThat(b.request("get-online-users", Map.of("roomId", room)).path("success").asBoolean()).isTrue();
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                HttpResponse<String> page = ParleyCluster.get(history + "/messages", parley.token(alice));
                assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
                assertThat(page.body()).contains(SECRET_TEXT);
            });
            assertThat(ParleyCluster.get(history + "/read-positions", parley.token(bob)).statusCode()).isEqualTo(200);

            // The non-members are refused everything, changing nothing: /ws ...
            assertRefused(m.request("get-online-users", data("roomId", room)));
            assertRefused(m.request("typing-start", data("roomId", room)));
            assertRefused(m.request("mark-read", markRead(room, seq)));
            assertRefused(m.request("send-message", data("roomId", room, "content", "let me in")));
            // ... /socket.io/ ...
            assertSioRefused(t.request("get-online-users", Map.of("roomId", room)));
            assertSioRefused(t.request("typing-start", Map.of("roomId", room)));
            assertSioRefused(t.request("mark-read", Map.of("roomId", room, "seq", seq)));
            assertSioRefused(t.request("send-message", Map.of("roomId", room, "content", "let me in")));
            // ... and HTTP.
            for (String user : List.of(mallory, trudy)) {
                for (String path : List.of("/messages", "/messages?after=0&limit=200", "/read-positions")) {
                    HttpResponse<String> response = ParleyCluster.get(history + path, parley.token(user));
                    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(403);
                    assertThat(Json.MAPPER.readTree(response.body()).path("error").path("code").asText())
                            .isEqualTo("AUTHORIZATION_FAILED");
                    assertThat(response.body()).doesNotContain(SECRET_TEXT);
                }
            }

            // The room goes on: typing, a message, a read position, a presence change.
            assertOk(a.request("typing-start", data("roomId", room)));
            b.nextEvent("user-typing", args -> args.path(0).path("userId").asText().equals(alice));
            assertOk(a.request("send-message", data("roomId", room, "content", SECRET_TEXT + " 2")));
            b.nextEvent("new-message", args -> args.path(0).path("content").asText().equals(SECRET_TEXT + " 2"));
            assertThat(b.request("mark-read", Map.of("roomId", room, "seq", seq)).path("success").asBoolean()).isTrue();
            a.nextEvent(e -> e.path("event").asText().equals("messages-read"));
            assertOk(a.request("update-presence", data("status", "busy")));
            c.nextEvent(e -> e.path("event").asText().equals("presence-update")
                    && e.path("data").path("userId").asText().equals(alice) && e.path("data").path("status").asText().equals("busy"));

            // Nothing of it reached the non-members. Each now gets a message of a room of its own,
            // delivered on the same edge node's deliveries after the secret room's (alice and bob saw
            // those): everything before it is all they got.
            String own = TestStack.uniqueName("own");
            assertOk(m.request("join-room", data("roomId", own)));
            assertOk(m.request("send-message", data("roomId", own, "content", "mine")));
            List<JsonNode> malloryGot = new ArrayList<>();
            malloryGot.add(m.nextEvent(e -> {
                malloryGot.add(e);
                return e.path("event").asText().equals("new-message") && e.path("data").path("roomId").asText().equals(own);
            }));
            assertThat(malloryGot).noneMatch(e -> e.toString().contains(room) || e.toString().contains(SECRET_TEXT));

            assertThat(t.request("join-room", Map.of("roomId", own)).path("success").asBoolean()).isTrue();
            assertThat(t.request("send-message", Map.of("roomId", own, "content", "mine too")).path("success").asBoolean()).isTrue();
            t.nextEvent("new-message", args -> args.path(0).path("content").asText().equals("mine too"));
            List<JsonNode> trudyGot = t.drainSeen();
            assertThat(trudyGot).noneMatch(e -> e.toString().contains(room) || e.toString().contains(SECRET_TEXT));

            // Nothing changed: the room's history has exactly the members' two messages and bob's position
            // (the history store writes behind the live path: the second message may not be stored yet).
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                HttpResponse<String> page = ParleyCluster.get(history + "/messages?after=0&limit=200", parley.token(alice));
                assertThat(ParleyCluster.contents(page.body())).containsExactly(SECRET_TEXT, SECRET_TEXT + " 2");
            });
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                JsonNode positions = Json.MAPPER.readTree(ParleyCluster.get(history + "/read-positions", parley.token(alice)).body());
                List<String> readers = new ArrayList<>();
                positions.path("positions").forEach(p -> readers.add(p.path("userId").asText()));
                assertThat(readers).containsExactly(bob);
            });
        }
    }
}
