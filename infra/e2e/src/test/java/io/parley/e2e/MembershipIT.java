/*
 * MembershipIT owns the end-to-end proof that membership belongs to the user, not the connection,
 * on the real stack: a member's device connected later to the other edge node (over /ws and
 * /socket.io/) gets the room's new messages without a join; a user's open devices get a room they
 * are added to (add-member, create-room's members, open-direct) at once: the member-added, then
 * the room's events, none missed or twice, without a join; remove-member is for admins and the
 * owner, and the removed member's devices stop at once (the next message reaches none of them,
 * their sends are AUTHORIZATION_FAILED, their history access ends); the room after the per-user
 * limit is refused with ROOM_LIMIT; every refusal changes nothing.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class MembershipIT {

    private static void assertRefused(JsonNode reply, String code) {
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isFalse();
        assertThat(reply.path("error").path("code").asText()).as("reply %s", reply).isEqualTo(code);
    }

    private static boolean isMessage(JsonNode event, String content) {
        return event.path("event").asText().equals("new-message") && event.path("data").path("content").asText().equals(content);
    }

    /**
     * Waits until the processors subscribed a connection that never joined: get-online-users
     * answers a connection in the room's index only (members only), so its first ok says so.
     */
    private static void awaitSubscribed(WsClient client, String room) {
        await().atMost(WsClient.PATIENCE).until(() -> client.request("get-online-users", data("roomId", room)).path("ok").asBoolean());
    }

    private static void awaitSubscribed(NodeSioClient client, String room) {
        await().atMost(WsClient.PATIENCE).until(() -> client.request("get-online-users", Map.of("roomId", room))
                .path("success").asBoolean());
    }

    @Test
    void aMembersSecondDeviceOnTheOtherEdgeNodeGetsNewMessagesWithoutAJoin(ParleyCluster parley) {
        String room = TestStack.uniqueName("everywhere");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        try (WsClient a1 = parley.connect(alice, 1); WsClient b = parley.connect(bob, 1)) {
            assertOk(a1.request("join-room", data("roomId", room)));
            assertOk(b.request("join-room", data("roomId", room)));
            assertOk(b.request("send-message", data("roomId", room, "content", "before")));
            a1.nextEvent(e -> isMessage(e, "before"));

            // Later, two more devices of alice on edge 2 (/ws and stock socket.io-client): neither joins.
            try (WsClient a2 = parley.connect(alice, 2);
                 NodeSioClient a3 = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(alice), List.of("websocket"))) {
                a3.next("connect");
                awaitSubscribed(a2, room);
                awaitSubscribed(a3, room);
                assertOk(b.request("send-message", data("roomId", room, "content", "after")));
                a2.nextEvent(e -> isMessage(e, "after"));
                a3.nextEvent("new-message", args -> args.path(0).path("content").asText().equals("after"));
                a1.nextEvent(e -> isMessage(e, "after"));
                // A member's device sends without joining too.
                assertOk(a2.request("send-message", data("roomId", room, "content", "from the second device")));
                b.nextEvent(e -> isMessage(e, "from the second device"));
                a3.nextEvent("new-message", args -> args.path(0).path("content").asText().equals("from the second device"));
                // The seeds' clients join on every connect: for a member that is an ack and nothing else.
                assertOk(a2.request("join-room", data("roomId", room)));
                assertThat(b.receivedCount("user-joined")).isEqualTo(0); // alice joined before bob; no rejoin is announced
            }
        }
    }

    private static boolean isAddedOrMessage(JsonNode event) {
        String name = event.path("event").asText();
        return name.equals("member-added") || name.equals("new-message");
    }

    private static JsonNode nextAddedOrMessage(NodeSioClient client) {
        return client.next(line -> line.path("type").asText().equals("event")
                && (line.path("event").asText().equals("member-added") || line.path("event").asText().equals("new-message")));
    }

    /** The client's member-added about {@code user} (added by {@code by}) then the message {@code content}, nothing between. */
    private static void assertAddedThenMessage(WsClient client, String user, String by, String content) {
        JsonNode added = client.nextEvent(MembershipIT::isAddedOrMessage);
        assertThat(added.path("event").asText()).as("%s", added).isEqualTo("member-added");
        assertThat(added.path("data").path("userId").asText()).isEqualTo(user);
        assertThat(added.path("data").path("addedBy").asText()).isEqualTo(by);
        JsonNode message = client.nextEvent(MembershipIT::isAddedOrMessage);
        assertThat(isMessage(message, content)).as("%s", message).isTrue();
    }

    @Test
    void anAddedMembersOpenDevicesOnTheOtherEdgeNodeGetTheRoomAtOnceWithoutAJoin(ParleyCluster parley) {
        String room = TestStack.uniqueName("added");
        String team = TestStack.uniqueName("team");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        String carol = TestStack.uniqueName("carol");
        String dave = TestStack.uniqueName("dave");
        try (WsClient a = parley.connect(alice, 1);
             WsClient b1 = parley.connect(bob, 2);
             NodeSioClient b2 = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(bob), List.of("websocket"));
             WsClient c = parley.connect(carol, 2);
             WsClient d = parley.connect(dave, 2)) {
            b2.next("connect");
            assertOk(a.request("create-room", data("roomId", room, "type", "private")));
            assertOk(a.request("join-room", data("roomId", room)));

            // bob's two devices (on the other node; /ws and the stock socket.io-client) were open before he was
            // added; neither ever sends join-room. alice's message goes out at once after the add: it may be decided
            // before bob's devices are subscribed (then they recover it) or after (then it is live): once either way.
            JsonNode addedAck = a.request("add-member", data("roomId", room, "userId", bob));
            assertOk(addedAck);
            assertOk(a.request("send-message", data("roomId", room, "content", "welcome")));
            assertAddedThenMessage(b1, bob, alice, "welcome");
            JsonNode sioAdded = nextAddedOrMessage(b2);
            assertThat(sioAdded.path("event").asText()).as("%s", sioAdded).isEqualTo("member-added");
            assertThat(sioAdded.path("args").path(0).path("userId").asText()).isEqualTo(bob);
            assertThat(sioAdded.path("args").path(0).path("seq").asLong()).isEqualTo(addedAck.path("data").path("seq").asLong());
            JsonNode sioWelcome = nextAddedOrMessage(b2);
            assertThat(sioWelcome.path("args").path(0).path("content").asText()).as("%s", sioWelcome).isEqualTo("welcome");

            // Subscribed: the next message reaches both devices once, and nothing came twice.
            assertOk(a.request("send-message", data("roomId", room, "content", "second")));
            b1.nextEvent(e -> isMessage(e, "second"));
            b2.nextEvent("new-message", args -> args.path(0).path("content").asText().equals("second"));
            assertThat(b1.receivedCount("new-message")).isEqualTo(2);
            assertThat(b1.receivedCount("member-added")).isEqualTo(1);
            assertThat(b2.drainSeen()).noneMatch(line -> line.path("event").asText().equals("new-message")
                    || line.path("event").asText().equals("member-added"));
            // A device subscribed this way is a member's: it sends without a join.
            assertOk(b1.request("send-message", data("roomId", room, "content", "thanks")));
            a.nextEvent(e -> isMessage(e, "thanks"));

            // create-room naming dave, and an open-direct with carol that creates the pair's room: the same.
            ObjectNode create = data("roomId", team, "type", "private");
            create.set("members", Json.tree(List.of(dave)));
            assertOk(a.request("create-room", create));
            assertOk(a.request("join-room", data("roomId", team)));
            assertOk(a.request("send-message", data("roomId", team, "content", "hello team")));
            assertAddedThenMessage(d, dave, alice, "hello team");
            JsonNode direct = a.request("open-direct", data("userId", carol));
            assertOk(direct);
            String directRoom = direct.path("data").path("roomId").asText();
            assertOk(a.request("join-room", data("roomId", directRoom)));
            assertOk(a.request("send-message", data("roomId", directRoom, "content", "hi carol")));
            assertAddedThenMessage(c, carol, alice, "hi carol");
        }
    }

    @Test
    void aRemovedMembersDevicesStopAtOnceAndOnlyAdminsAndTheOwnerRemove(ParleyCluster parley) throws Exception {
        String room = TestStack.uniqueName("kick");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        String carol = TestStack.uniqueName("carol");
        String mallory = TestStack.uniqueName("mallory");
        String history = parley.services.historyUrl() + "/v1/rooms/" + room + "/messages";
        try (WsClient a = parley.connect(alice, 1);
             WsClient c = parley.connect(carol, 2);
             WsClient b1 = parley.connect(bob, 1);
             NodeSioClient b2 = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(bob), List.of("websocket"));
             WsClient m = parley.connect(mallory, 1)) {
            b2.next("connect");
            ObjectNode create = data("roomId", room, "type", "private");
            create.set("members", Json.tree(List.of(bob, carol)));
            assertOk(a.request("create-room", create));
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(c.request("join-room", data("roomId", room)));
            assertOk(b1.request("join-room", data("roomId", room)));
            awaitSubscribed(b2, room); // bob's other device, without a join

            // Refusals change nothing: a member, a stranger and bob himself cannot remove anyone.
            assertRefused(c.request("remove-member", data("roomId", room, "userId", bob)), "AUTHORIZATION_FAILED");
            assertRefused(m.request("remove-member", data("roomId", room, "userId", bob)), "AUTHORIZATION_FAILED");
            assertRefused(b1.request("remove-member", data("roomId", room, "userId", alice)), "AUTHORIZATION_FAILED");
            JsonNode sioRefused = b2.request("remove-member", Map.of("roomId", room, "userId", carol));
            assertThat(sioRefused.path("code").asText()).as("%s", sioRefused).isEqualTo("AUTHORIZATION_FAILED");
            assertOk(a.request("send-message", data("roomId", room, "content", "still here")));
            b1.nextEvent(e -> isMessage(e, "still here"));
            b2.nextEvent("new-message", args -> args.path(0).path("content").asText().equals("still here"));
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(ParleyCluster.get(history, parley.token(bob)).statusCode()).isEqualTo(200));

            // The owner removes bob: both his devices hear of it, then nothing more of the room.
            JsonNode removed = a.request("remove-member", data("roomId", room, "userId", bob));
            assertOk(removed);
            assertThat(removed.path("data").path("userId").asText()).isEqualTo(bob);
            assertThat(removed.path("data").path("removedBy").asText()).isEqualTo(alice);
            b1.nextEvent(e -> e.path("event").asText().equals("member-removed") && e.path("data").path("userId").asText().equals(bob));
            b2.nextEvent("member-removed", args -> args.path(0).path("userId").asText().equals(bob));
            c.nextEvent(e -> e.path("event").asText().equals("member-removed"));
            int b1Messages = b1.receivedCount("new-message");

            assertOk(a.request("send-message", data("roomId", room, "content", "after the kick")));
            c.nextEvent(e -> isMessage(e, "after the kick"));  // edge 2 has delivered it
            a.nextEvent(e -> isMessage(e, "after the kick"));  // edge 1 has delivered it
            // Bob's requests are answered on the same nodes after that delivery: refused, and nothing came before.
            assertRefused(b1.request("send-message", data("roomId", room, "content", "let me back")), "AUTHORIZATION_FAILED");
            JsonNode sioSend = b2.request("send-message", Map.of("roomId", room, "content", "me neither"));
            assertThat(sioSend.path("code").asText()).as("%s", sioSend).isEqualTo("AUTHORIZATION_FAILED");
            assertThat(b1.receivedCount("new-message")).isEqualTo(b1Messages);
            assertThat(b2.drainSeen()).noneMatch(line -> line.toString().contains("after the kick"));
            assertRefused(b1.request("get-online-users", data("roomId", room)), "AUTHORIZATION_FAILED");
            assertRefused(b1.request("join-room", data("roomId", room)), "AUTHORIZATION_FAILED"); // private: added members only

            // The history store follows: bob reads the room no more; the members do, without the refused sends.
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(ParleyCluster.get(history, parley.token(bob)).statusCode()).isEqualTo(403));
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(ParleyCluster.contents(ParleyCluster.get(history + "?after=0&limit=200", parley.token(carol)).body()))
                            .containsExactly("still here", "after the kick"));
        }
    }

    @Test
    void theRoomAfterThePerUserLimitIsRefusedAndChangesNothing(ParleyCluster parley) {
        String user = TestStack.uniqueName("collector");
        String other = TestStack.uniqueName("other");
        String prefix = TestStack.uniqueName("many");
        try (WsClient u = parley.connect(user, 1); WsClient o = parley.connect(other, 2)) {
            for (int i = 0; i < ParleyCluster.MAX_ROOMS_PER_USER; i++) {
                assertOk(u.request("join-room", data("roomId", prefix + "-" + i)));
            }
            String extra = prefix + "-extra";
            assertOk(o.request("join-room", data("roomId", extra)));
            assertRefused(u.request("join-room", data("roomId", extra)), "ROOM_LIMIT");
            assertRefused(u.request("create-room", data("roomId", prefix + "-created", "type", "public")), "ROOM_LIMIT");
            // Nothing changed: the user is no member of the extra room, and the created one does not exist.
            assertRefused(u.request("send-message", data("roomId", extra, "content", "in?")), "AUTHORIZATION_FAILED");
            assertOk(o.request("create-room", data("roomId", prefix + "-created", "type", "public")));
            // Joining a room the user is in already is not one more; after leaving one there is room for another.
            assertOk(u.request("join-room", data("roomId", prefix + "-0")));
            assertOk(u.request("leave-room", data("roomId", prefix + "-0")));
            assertOk(u.request("join-room", data("roomId", extra)));
            o.nextEvent(e -> e.path("event").asText().equals("user-joined") && e.path("data").path("userId").asText().equals(user));
        }
    }
}
