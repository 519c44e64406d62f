/*
 * PrivateRoomIT owns the end-to-end proof of rooms as objects on the real stack: a private room
 * made with create-room is joined by its members only (over /ws and /socket.io/, on either edge
 * node), only its owner and admins add members, only its owner sets roles, every refusal is AUTHORIZATION_FAILED and changes nothing
 * (no event, nothing delivered, history unchanged), and its history is for its members only.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class PrivateRoomIT {

    private static void assertRefused(JsonNode reply) {
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isFalse();
        assertThat(reply.path("error").path("code").asText()).as("reply %s", reply).isEqualTo("AUTHORIZATION_FAILED");
    }

    @Test
    void aPrivateRoomIsForItsMembersAndOnlyItsOwnerAddsMembers(ParleyCluster parley) throws Exception {
        String room = TestStack.uniqueName("private");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        String carol = TestStack.uniqueName("carol");
        String mallory = TestStack.uniqueName("mallory");
        String history = parley.services.historyUrl() + "/v1/rooms/" + room + "/messages";
        try (WsClient a = parley.connect(alice, 1);
             NodeSioClient b = NodeSioClient.start(parley.edgeHttpUrl(2), NodeJwt.hs256(ParleyCluster.SECRET, Map.of("sub", bob), 600),
                     List.of("websocket"));
             WsClient m = parley.connect(mallory, 2);
             NodeSioClient ms = NodeSioClient.start(parley.edgeHttpUrl(1), parley.token(mallory), List.of("websocket"));
             WsClient c = parley.connect(carol, 2)) {
            b.next("connect");
            ms.next("connect");
            ObjectNode create = data("roomId", room, "type", "private", "name", "Plans");
            create.set("members", Json.tree(List.of(bob)));
            JsonNode created = a.request("create-room", create);
            assertOk(created);
            assertThat(created.path("data").path("ownerId").asText()).isEqualTo(alice);
            assertThat(created.path("data").path("members").toString()).isEqualTo(Json.write(List.of(alice, bob)));

            // The members join (the owner over /ws on edge 1, bob with socket.io on edge 2).
            assertOk(a.request("join-room", data("roomId", room)));
            assertThat(b.request("join-room", room).path("success").asBoolean()).isTrue();
            assertOk(a.request("send-message", data("roomId", room, "content", "members only")));
            b.nextEvent("new-message", args -> args.path(0).path("content").asText().equals("members only"));

            // Not a member: refused over both protocols, on both nodes; and he cannot add himself.
            assertRefused(m.request("join-room", data("roomId", room)));
            JsonNode sio = ms.request("join-room", room);
            assertThat(sio.path("success").asBoolean()).isFalse();
            assertThat(sio.path("code").asText()).isEqualTo("AUTHORIZATION_FAILED");
            assertRefused(m.request("add-member", data("roomId", room, "userId", mallory)));
            assertRefused(m.request("send-message", data("roomId", room, "content", "let me in")));
            // A member who is not an admin cannot add anyone either.
            JsonNode bobAdds = b.request("add-member", Map.of("roomId", room, "userId", mallory));
            assertThat(bobAdds.path("code").asText()).as("%s", bobAdds).isEqualTo("AUTHORIZATION_FAILED");
            // Nor can a room be created over an existing one.
            assertThat(m.request("create-room", data("roomId", room, "type", "public")).path("error").path("code").asText())
                    .isEqualTo("INVALID_ROOM");
            assertRefused(m.request("join-room", data("roomId", room)));

            // History: members only.
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                HttpResponse<String> page = ParleyCluster.get(history, parley.token(bob));
                assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
                assertThat(ParleyCluster.contents(page.body())).containsExactly("members only");
            });
            HttpResponse<String> refused = ParleyCluster.get(history, parley.token(mallory));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).doesNotContain("members only");

            // The owner adds carol: the room hears of it, and carol may join.
            JsonNode added = a.request("add-member", data("roomId", room, "userId", carol));
            assertOk(added);
            b.nextEvent("member-added", args -> args.path(0).path("userId").asText().equals(carol));
            assertOk(c.request("join-room", data("roomId", room)));
            assertOk(c.request("send-message", data("roomId", room, "content", "thanks")));
            a.nextEvent(e -> e.path("event").asText().equals("new-message") && e.path("data").path("content").asText().equals("thanks"));

            // Roles: only the owner sets them; an admin adds members.
            assertRefused(c.request("set-role", data("roomId", room, "userId", carol, "role", "admin")));
            JsonNode bobAddsAgain = b.request("add-member", Map.of("roomId", room, "userId", TestStack.uniqueName("dave")));
            assertThat(bobAddsAgain.path("code").asText()).as("%s", bobAddsAgain).isEqualTo("AUTHORIZATION_FAILED");
            assertOk(a.request("set-role", data("roomId", room, "userId", bob, "role", "admin")));
            JsonNode adminAdds = b.request("add-member", Map.of("roomId", room, "userId", TestStack.uniqueName("dave")));
            assertThat(adminAdds.path("success").asBoolean()).as("%s", adminAdds).isTrue();
            JsonNode adminSets = b.request("set-role", Map.of("roomId", room, "userId", carol, "role", "admin"));
            assertThat(adminSets.path("code").asText()).as("%s", adminSets).isEqualTo("AUTHORIZATION_FAILED");

            // Nothing of the refusals reached the room or its history; mallory got none of its events.
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(ParleyCluster.contents(ParleyCluster.get(history + "?after=0&limit=200", parley.token(carol)).body()))
                            .containsExactly("members only", "thanks"));
            String own = TestStack.uniqueName("own");
            assertOk(m.request("join-room", data("roomId", own)));
            assertOk(m.request("send-message", data("roomId", own, "content", "mine")));
            List<JsonNode> got = new ArrayList<>();
            m.nextEvent(e -> {
                got.add(e);
                return e.path("event").asText().equals("new-message") && e.path("data").path("roomId").asText().equals(own);
            });
            assertThat(got).noneMatch(e -> e.toString().contains(room));
        }
    }

    @Test
    void theMemberAfterMaxUsersGetsRoomFull(ParleyCluster parley) {
        String room = TestStack.uniqueName("small");
        try (WsClient a = parley.connect(TestStack.uniqueName("alice"), 1);
             WsClient b = parley.connect(TestStack.uniqueName("bob"), 2);
             WsClient c = parley.connect(TestStack.uniqueName("carol"), 1)) {
            ObjectNode create = data("roomId", room, "type", "public");
            create.put("maxUsers", 2);
            assertOk(a.request("create-room", create)); // alice, its owner, is the first member
            assertOk(b.request("join-room", data("roomId", room)));
            JsonNode full = c.request("join-room", data("roomId", room));
            assertThat(full.path("error").path("code").asText()).as("%s", full).isEqualTo("ROOM_FULL");
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(a.request("send-message", data("roomId", room, "content", "two of us")));
            b.nextEvent(e -> e.path("event").asText().equals("new-message"));
            assertThat(c.request("send-message", data("roomId", room, "content", "me too")).path("error").path("code").asText())
                    .isEqualTo("AUTHORIZATION_FAILED");
            // bob leaves: a place is free.
            assertOk(b.request("leave-room", data("roomId", room)));
            assertOk(c.request("join-room", data("roomId", room)));
        }
    }
}
