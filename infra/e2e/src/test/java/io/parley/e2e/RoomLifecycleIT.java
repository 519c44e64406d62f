/*
 * RoomLifecycleIT owns the end-to-end proof of a created room's later life on the real stack:
 * update-room, delete-room, mute-member and get-room refused with AUTHORIZATION_FAILED to users
 * without the right (over /ws and /socket.io/), each refusal changing nothing (the room's settings,
 * members and events as before); a muted member cannot send until unmuted (leaving and joining
 * again does not unmute); delete-room stops the
 * room (its members hear room-deleted, every later command is INVALID_ROOM, the queries leave it
 * out); a room created with expireAfterIdleMs is deleted once idle; open-direct finds or creates
 * the one direct room of a pair.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Map;
import java.util.Set;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class RoomLifecycleIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Set<String> LIFECYCLE = Set.of("room-updated", "room-deleted", "member-muted", "member-unmuted");

    private static HttpResponse<String> get(ParleyCluster parley, String path, String user) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(parley.services.historyUrl() + path))
                .header("Authorization", "Bearer " + parley.token(user)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertCode(JsonNode reply, String code) {
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isFalse();
        assertThat(reply.path("error").path("code").asText()).as("reply %s", reply).isEqualTo(code);
    }

    /** The room as GET /v1/rooms/{id} shows it to a member, once the history store has caught up with {@code check}. */
    private static JsonNode room(ParleyCluster parley, String roomId, String member, java.util.function.Predicate<JsonNode> check) {
        JsonNode[] seen = new JsonNode[1];
        await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
            HttpResponse<String> response = get(parley, "/v1/rooms/" + roomId, member);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            seen[0] = Json.MAPPER.readTree(response.body());
            assertThat(check.test(seen[0])).as("%s", seen[0]).isTrue();
        });
        return seen[0];
    }

    private static List<String> members(JsonNode room) {
        List<String> members = new ArrayList<>();
        room.path("members").forEach(m -> members.add(m.path("userId").asText() + ":" + m.path("role").asText()
                + (m.path("muted").asBoolean() ? ":muted" : "")));
        return members;
    }

    @Test
    void managingARoomIsForItsOwnerAndAdminsAndEveryRefusalChangesNothing(ParleyCluster parley) throws Exception {
        String roomId = TestStack.uniqueName("managed");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        String carol = TestStack.uniqueName("carol");
        String mallory = TestStack.uniqueName("mallory");
        try (WsClient a = parley.connect(alice, 1);
             WsClient b = parley.connect(bob, 2);
             WsClient c = parley.connect(carol, 1);
             WsClient m = parley.connect(mallory, 2);
             NodeSioClient ms = NodeSioClient.start(parley.edgeHttpUrl(1), parley.token(mallory), List.of("websocket"))) {
            ms.next("connect");
            ObjectNode create = data("roomId", roomId, "type", "private", "name", "Plans");
            create.set("members", Json.tree(List.of(bob, carol)));
            assertOk(a.request("create-room", create));
            assertOk(a.request("set-role", data("roomId", roomId, "userId", bob, "role", "admin")));
            for (WsClient member : List.of(a, b, c)) {
                assertOk(member.request("join-room", data("roomId", roomId)));
            }
            JsonNode before = room(parley, roomId, alice, r -> members(r).contains(bob + ":admin"));
            assertThat(members(before)).containsExactlyInAnyOrder(alice + ":owner", bob + ":admin", carol + ":member");

            // Not a member (over /ws and Socket.IO), or a plain member: refused, nothing changes.
            for (WsClient refused : List.of(m, c)) {
                ObjectNode update = data("roomId", roomId, "name", "Mine");
                update.put("maxUsers", 1);
                assertCode(refused.request("update-room", update), "AUTHORIZATION_FAILED");
                assertCode(refused.request("delete-room", data("roomId", roomId)), "AUTHORIZATION_FAILED");
                assertCode(refused.request("mute-member", data("roomId", roomId, "userId", alice)), "AUTHORIZATION_FAILED");
            }
            for (String op : List.of("update-room", "delete-room", "mute-member")) {
                JsonNode sio = ms.request(op, Map.of("roomId", roomId, "userId", bob, "name", "Mine"));
                assertThat(sio.path("success").asBoolean()).as("%s %s", op, sio).isFalse();
                assertThat(sio.path("code").asText()).as("%s %s", op, sio).isEqualTo("AUTHORIZATION_FAILED");
            }
            // An admin deletes nothing either: the owner only.
            assertCode(b.request("delete-room", data("roomId", roomId)), "AUTHORIZATION_FAILED");
            // get-room: members only.
            HttpResponse<String> refusedRead = get(parley, "/v1/rooms/" + roomId, mallory);
            assertThat(refusedRead.statusCode()).isEqualTo(403);
            assertThat(refusedRead.body()).contains("AUTHORIZATION_FAILED").doesNotContain(alice).doesNotContain("Plans");

            // Nothing changed: the next event the members get is alice's message, no lifecycle event before it.
            assertOk(a.request("send-message", data("roomId", roomId, "content", "still the same")));
            for (WsClient member : List.of(b, c)) {
                List<String> events = new ArrayList<>();
                member.nextEvent(e -> {
                    events.add(e.path("event").asText());
                    return e.path("event").asText().equals("new-message");
                });
                assertThat(events).noneMatch(LIFECYCLE::contains);
            }
            JsonNode after = room(parley, roomId, alice, r -> true);
            assertThat(after.path("name").asText()).isEqualTo("Plans");
            assertThat(after.path("maxUsers").isMissingNode() || after.path("maxUsers").isNull()).isTrue();
            assertThat(members(after)).isEqualTo(members(before));

            // The admin updates it: everyone hears room-updated, the query shows it.
            assertOk(b.request("update-room", data("roomId", roomId, "name", "Plans 2")));
            c.nextEvent(e -> e.path("event").asText().equals("room-updated") && e.path("data").path("name").asText().equals("Plans 2"));
            room(parley, roomId, carol, r -> r.path("name").asText().equals("Plans 2"));
        }
    }

    @Test
    void aMutedMemberCannotSendUntilUnmuted(ParleyCluster parley) throws Exception {
        String roomId = TestStack.uniqueName("muted");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        try (WsClient a = parley.connect(alice, 1);
             NodeSioClient b = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(bob), List.of("websocket"))) {
            b.next("connect");
            assertOk(a.request("create-room", data("roomId", roomId, "type", "public")));
            assertOk(a.request("join-room", data("roomId", roomId)));
            assertThat(b.request("join-room", roomId).path("success").asBoolean()).isTrue();
            assertOk(a.request("mute-member", data("roomId", roomId, "userId", bob)));
            b.nextEvent("member-muted", args -> args.path(0).path("userId").asText().equals(bob));
            room(parley, roomId, alice, r -> members(r).contains(bob + ":member:muted"));

            JsonNode refused = b.request("send-message", Map.of("roomId", roomId, "content", "let me talk"));
            assertThat(refused.path("code").asText()).as("%s", refused).isEqualTo("AUTHORIZATION_FAILED");
            assertOk(a.request("send-message", data("roomId", roomId, "content", "quiet please")));
            List<String> heard = new ArrayList<>();
            a.nextEvent(e -> {
                heard.add(e.path("data").path("content").asText());
                return e.path("event").asText().equals("new-message");
            });
            assertThat(heard).doesNotContain("let me talk");
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> assertThat(
                    get(parley, "/v1/rooms/" + roomId + "/messages", alice).body()).contains("quiet please"));
            assertThat(get(parley, "/v1/rooms/" + roomId + "/messages", alice).body()).doesNotContain("let me talk");

            // Leaving and joining again does not lift the mute (processors and the history store agree).
            assertThat(b.request("leave-room", roomId).path("success").asBoolean()).isTrue();
            a.nextEvent(e -> e.path("event").asText().equals("user-left"));
            assertThat(b.request("join-room", roomId).path("success").asBoolean()).isTrue();
            a.nextEvent(e -> e.path("event").asText().equals("user-joined"));
            JsonNode stillRefused = b.request("send-message", Map.of("roomId", roomId, "content", "back and loud"));
            assertThat(stillRefused.path("code").asText()).as("%s", stillRefused).isEqualTo("AUTHORIZATION_FAILED");
            room(parley, roomId, alice, r -> members(r).contains(bob + ":member:muted"));

            assertOk(a.request("unmute-member", data("roomId", roomId, "userId", bob)));
            JsonNode sent = b.request("send-message", Map.of("roomId", roomId, "content", "thanks"));
            assertThat(sent.path("success").asBoolean()).as("%s", sent).isTrue();
            a.nextEvent(e -> e.path("event").asText().equals("new-message") && e.path("data").path("content").asText().equals("thanks"));
        }
    }

    @Test
    void deleteRoomStopsTheRoom(ParleyCluster parley) throws Exception {
        String roomId = TestStack.uniqueName("doomed");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        try (WsClient a = parley.connect(alice, 1);
             WsClient b = parley.connect(bob, 2)) {
            assertOk(a.request("create-room", data("roomId", roomId, "type", "public", "name", "Doomed")));
            assertOk(b.request("join-room", data("roomId", roomId)));
            // The directory is the history store's view: it follows room-events a moment later.
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(get(parley, "/v1/rooms?limit=100", bob).body()).contains(roomId));
            JsonNode deleted = a.request("delete-room", data("roomId", roomId));
            assertOk(deleted);
            JsonNode heard = b.nextEvent(e -> e.path("event").asText().equals("room-deleted"));
            assertThat(heard.path("data").path("roomId").asText()).isEqualTo(roomId);
            assertThat(heard.path("data").path("reason").asText()).isEqualTo("owner");

            assertCode(b.request("send-message", data("roomId", roomId, "content", "anyone?")), "INVALID_ROOM");
            assertCode(a.request("join-room", data("roomId", roomId)), "INVALID_ROOM");
            assertCode(a.request("update-room", data("roomId", roomId, "name", "Back")), "INVALID_ROOM");
            assertCode(a.request("create-room", data("roomId", roomId, "type", "public")), "INVALID_ROOM");
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                HttpResponse<String> gone = get(parley, "/v1/rooms/" + roomId, bob);
                assertThat(gone.statusCode()).as(gone.body()).isEqualTo(400);
                assertThat(gone.body()).contains("INVALID_ROOM");
                assertThat(get(parley, "/v1/me/rooms?limit=100", bob).body()).doesNotContain(roomId);
                assertThat(get(parley, "/v1/rooms?limit=100", bob).body()).doesNotContain(roomId);
            });
            // Leaving still works (the connection's entries go), without an event.
            assertOk(b.request("leave-room", data("roomId", roomId)));
        }
    }

    @Test
    void aRoomCreatedWithIdleExpiryIsDeletedAfterItsIdleTime(ParleyCluster parley) throws Exception {
        String roomId = TestStack.uniqueName("brief");
        String alice = TestStack.uniqueName("alice");
        try (WsClient a = parley.connect(alice, 2)) {
            ObjectNode create = data("roomId", roomId, "type", "public");
            create.put("expireAfterIdleMs", 2_000);
            assertOk(a.request("create-room", create));
            assertOk(a.request("join-room", data("roomId", roomId)));
            assertOk(a.request("send-message", data("roomId", roomId, "content", "soon gone")));
            JsonNode gone = a.nextEvent(e -> e.path("event").asText().equals("room-deleted"));
            assertThat(gone.path("data").path("reason").asText()).isEqualTo("idle");
            assertThat(gone.path("data").path("deletedBy").asText()).isEqualTo(alice);
            assertCode(a.request("send-message", data("roomId", roomId, "content", "too late")), "INVALID_ROOM");
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(get(parley, "/v1/rooms/" + roomId, alice).statusCode()).isEqualTo(400));
        }
    }

    @Test
    void openDirectFindsOrCreatesThePairsOneRoom(ParleyCluster parley) throws Exception {
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        String mallory = TestStack.uniqueName("mallory");
        try (WsClient a = parley.connect(alice, 1);
             NodeSioClient b = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(bob), List.of("websocket"));
             WsClient m = parley.connect(mallory, 1)) {
            b.next("connect");
            JsonNode opened = a.request("open-direct", data("userId", bob));
            assertOk(opened);
            String roomId = opened.path("data").path("roomId").asText();
            assertThat(roomId).startsWith("dm:");
            assertThat(opened.path("data").path("type").asText()).isEqualTo("direct");
            JsonNode again = b.request("open-direct", Map.of("userId", alice));
            assertThat(again.path("success").asBoolean()).as("%s", again).isTrue();
            assertThat(again.path("data").path("roomId").asText()).as("%s", again).isEqualTo(roomId);
            assertThat(a.request("open-direct", data("userId", bob)).path("data").path("roomId").asText()).isEqualTo(roomId);

            assertOk(a.request("join-room", data("roomId", roomId)));
            assertThat(b.request("join-room", roomId).path("success").asBoolean()).isTrue();
            assertOk(a.request("send-message", data("roomId", roomId, "content", "just us")));
            b.nextEvent("new-message", args -> args.path(0).path("content").asText().equals("just us"));
            assertCode(m.request("join-room", data("roomId", roomId)), "AUTHORIZATION_FAILED");
            assertCode(a.request("add-member", data("roomId", roomId, "userId", mallory)), "AUTHORIZATION_FAILED");
            assertThat(get(parley, "/v1/rooms/" + roomId, mallory).statusCode()).isEqualTo(403);
            JsonNode room = room(parley, roomId, bob, r -> r.path("members").size() == 2);
            assertThat(members(room)).containsExactlyInAnyOrder(alice + ":owner", bob + ":member");
        }
    }
}
