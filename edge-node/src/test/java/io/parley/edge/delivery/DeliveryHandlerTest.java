/*
 * DeliveryHandlerTest owns the proof of what a delivery does on this node: ToRoom reaches exactly
 * the local subscribers (encoded once, shared) and is dropped when its seq was already delivered;
 * a Reply reaches its connection and confirms joins/leaves in the index before later deliveries;
 * a RateLimit is remembered; Subscribe indexes a member's connection without a join, Unsubscribe
 * drops every socket of a former member.
 */
package io.parley.edge.delivery;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.session.ConnectionRegistry;
import io.parley.edge.session.FakeConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryHandlerTest {
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final RoomIndex index = new RoomIndex();
    private final RateLimitTable rateLimits = new RateLimitTable();
    private final MessageRooms messageRooms = new MessageRooms(2);
    private final DeliveryHandler handler = new DeliveryHandler(registry, index, rateLimits, messageRooms);
    private final FakeConnection alice = new FakeConnection("c-alice", "alice");
    private final FakeConnection bob = new FakeConnection("c-bob", "bob");

    DeliveryHandlerTest() {
        registry.add(alice);
        registry.add(bob);
    }

    private static Delivery delivery(Delivery.Body body) {
        return new Delivery("edge-test", 0, body);
    }

    private static Delivery toRoom(String room, long seq, String text) {
        return delivery(new Delivery.ToRoom(room, seq, Protocol.NEW_MESSAGE,
                Json.tree(new Protocol.Message("m" + seq, room, "alice", text, "text", Protocol.isoTime(1L),
                        Protocol.User.of("alice", null, null), seq, null, null))));
    }

    private static Delivery joinOk(String connectionId, String room, String ref) {
        return delivery(new Delivery.Reply(connectionId, ref, true, Json.tree(new Protocol.RoomAck(room, 3)), null));
    }

    @Test
    void toRoomReachesOnlyLocalSubscribersWithOneSharedEncoding() {
        index.add("r1", alice);
        index.add("r1", bob);
        index.add("r2", bob);

        handler.handle(toRoom("r1", 1, "hello"));
        handler.handle(toRoom("r2", 1, "other room"));

        assertThat(alice.events).hasSize(1);
        assertThat(bob.events).hasSize(2);
        assertThat(alice.events.get(0)).isSameAs(bob.events.get(0));
        String text = alice.events.get(0).nativeText();
        assertThat(text).startsWith("{\"event\":\"new-message\",\"data\":{").contains("\"content\":\"hello\"");
        assertThat(bob.events.get(0).nativeText()).isSameAs(text);
    }

    @Test
    void theRoomOfEachDeliveredMessageIsRememberedBoundedForMarkReadByIds() {
        handler.handle(toRoom("r1", 1, "one"));
        handler.handle(toRoom("r2", 1, "two"));
        assertThat(messageRooms.roomOf("m1")).isEqualTo("r2"); // same id in both rooms: the latest wins
        handler.handle(toRoom("r1", 2, "x"));
        handler.handle(toRoom("r1", 3, "y"));
        assertThat(messageRooms.roomOf("m3")).isEqualTo("r1");
        assertThat(messageRooms.roomOf("m1")).isNull(); // bounded: the oldest went first
        assertThat(messageRooms.size()).isEqualTo(2);
    }

    @Test
    void aRedeliveredSeqIsDropped() {
        index.add("r1", alice);
        handler.handle(toRoom("r1", 1, "one"));
        handler.handle(toRoom("r1", 2, "two"));
        handler.handle(toRoom("r1", 2, "two again"));
        handler.handle(toRoom("r1", 1, "one again"));
        handler.handle(toRoom("r1", 3, "three"));
        assertThat(alice.events).extracting(e -> e.data().get("content").textValue()).containsExactly("one", "two", "three");
    }

    @Test
    void anAckRidingInANewMessageAnswersTheSenderFirstWithTheMessageEvenForASeqAlreadyDelivered() {
        alice.subscriptions().requested("r1"); // she joined r1 (an ok reply naming a room re-asserts the index)
        index.add("r1", alice);
        index.add("r1", bob);
        Delivery.ToRoom plain = (Delivery.ToRoom) toRoom("r1", 1, "hello").body();
        Delivery withAck = delivery(new Delivery.ToRoom("r1", 1, plain.event(), plain.data(), null, 0,
                new Delivery.Ack("c-alice", "ref-9")));

        handler.handle(withAck);
        handler.handle(withAck); // a replay: the ack again, the event not again

        assertThat(alice.replies).hasSize(2).allSatisfy(reply -> {
            assertThat(reply.ref()).isEqualTo("ref-9");
            assertThat(reply.ok()).isTrue();
            assertThat(reply.data().get("content").textValue()).isEqualTo("hello");
        });
        assertThat(bob.replies).isEmpty();
        assertThat(alice.events).hasSize(1);
        assertThat(bob.events).hasSize(1);
    }

    @Test
    void aStreamedRecordIsDeliveredAsTheDecodedOneWas() {
        alice.subscriptions().requested("r1");
        index.add("r1", alice);
        index.add("r1", bob);
        Delivery.ToRoom plain = (Delivery.ToRoom) toRoom("r1", 1, "héllo 😀").body();
        byte[] record = Json.writeBytes(delivery(new Delivery.ToRoom("r1", 1, plain.event(), plain.data(), "nobody", 0,
                new Delivery.Ack("c-alice", "ref-3"))));
        RoomPush push = (RoomPush) new DeliveryDecoder().deserialize("deliveries", record);

        handler.handle(push);
        handler.handle(push); // a replay: the ack again, the event not again
        handler.handle((RoomPush) new DeliveryDecoder().deserialize("deliveries",
                Json.writeBytes(delivery(new Delivery.ToRoom("r1", 2, Protocol.USER_TYPING,
                        Json.MAPPER.createObjectNode().put("roomId", "r1").put("userId", "bob"), "bob")))));

        assertThat(alice.replies).hasSize(2).allSatisfy(reply -> {
            assertThat(reply.ref()).isEqualTo("ref-3");
            assertThat(reply.data().get("content").textValue()).isEqualTo("héllo 😀");
        });
        assertThat(alice.events).hasSize(2);
        assertThat(bob.events).hasSize(1); // the typing event excludes its typist
        assertThat(alice.events.get(0)).isSameAs(bob.events.get(0));
        assertThat(alice.events.get(0).nativeText())
                .isEqualTo(Json.write(new io.parley.contracts.wire.ServerEvent(plain.event(), plain.data())));
        assertThat(messageRooms.roomOf("m1")).isEqualTo("r1");
    }

    @Test
    void joinOkIndexesTheConnectionBeforeLaterDeliveries() {
        alice.subscriptions().requested("r1");
        handler.handle(joinOk("c-alice", "r1", "7"));
        handler.handle(toRoom("r1", 4, "after join"));

        assertThat(alice.replies).hasSize(1);
        assertThat(alice.replies.get(0).ref()).isEqualTo("7");
        assertThat(alice.replies.get(0).ok()).isTrue();
        assertThat(alice.events).hasSize(1);
    }

    @Test
    void leaveOkUnindexesAndErrorsChangeNothing() {
        alice.subscriptions().requested("r1");
        handler.handle(joinOk("c-alice", "r1", "1"));
        alice.subscriptions().released("r1");
        handler.handle(delivery(new Delivery.Reply("c-alice", "2", true, Json.tree(new Protocol.RoomAck("r1", 5)), null)));
        assertThat(index.subscribers("r1")).isEmpty();

        bob.subscriptions().requested("r2");
        handler.handle(delivery(new Delivery.Reply("c-bob", "3", false, null,
                ErrorBody.of(ErrorCode.ROOM_FULL, "full"))));
        assertThat(index.subscribers("r2")).isEmpty();
        assertThat(bob.replies.get(0).error().code()).isEqualTo(ErrorCode.ROOM_FULL);
    }

    @Test
    void aReplyForAClosedOrUnknownConnectionIndexesNothing() {
        alice.subscriptions().requested("r1");
        alice.close();
        handler.handle(joinOk("c-alice", "r1", "1"));
        handler.handle(joinOk("c-nobody", "r1", "1"));
        assertThat(index.subscribers("r1")).isEmpty();
    }

    @Test
    void anExcludedUserDoesNotGetTheEventAndUnsequencedTypingIsNeverDeduplicated() {
        FakeConnection aliceElsewhere = new FakeConnection("c-alice-2", "alice");
        registry.add(aliceElsewhere);
        index.add("r1", alice);
        index.add("r1", aliceElsewhere);
        index.add("r1", bob);
        Delivery typing = delivery(new Delivery.ToRoom("r1", 0, Protocol.USER_TYPING,
                Json.tree(new Protocol.Typing("r1", "alice")), "alice"));
        handler.handle(typing);
        handler.handle(typing);
        assertThat(alice.events).isEmpty();
        assertThat(aliceElsewhere.events).isEmpty();
        assertThat(bob.events).hasSize(2);
        assertThat(bob.events.get(0).nativeText()).startsWith("{\"event\":\"user-typing\"");
    }

    @Test
    void rateLimitDecisionsAreRemembered() {
        long until = System.currentTimeMillis() + 60_000;
        handler.handle(delivery(new Delivery.RateLimit("alice", until)));
        assertThat(rateLimits.retryAfterMs("alice", until - 1_000)).isEqualTo(1_000);
        assertThat(rateLimits.retryAfterMs("bob", until - 1_000)).isZero();
    }

    @Test
    void unsequencedPresenceUpdatesAreNeverDeduplicated() {
        index.add("r1", alice);
        handler.handle(toRoom("r1", 5, "five"));
        for (String status : new String[] {"busy", "online"}) {
            handler.handle(delivery(new Delivery.ToRoom("r1", 0, Protocol.PRESENCE_UPDATE,
                    Json.tree(new Protocol.PresenceUpdate("r1", "bob", status, null, null)))));
        }
        handler.handle(toRoom("r1", 5, "five again"));
        assertThat(alice.events).extracting(e -> e.event()).containsExactly(Protocol.NEW_MESSAGE,
                Protocol.PRESENCE_UPDATE, Protocol.PRESENCE_UPDATE);
    }

    @Test
    void subscribeIndexesAMembersConnectionWithoutAJoinAndUnsubscribeDropsEveryDeviceOfTheUser() {
        FakeConnection alice2 = new FakeConnection("c-alice-2", "alice");
        registry.add(alice2);
        index.add("r1", bob);
        handler.handle(joinOk("c-alice", "r1", "1")); // not requested: a stale ok does not index
        assertThat(index.subscribers("r1")).containsExactly(bob);

        handler.handle(delivery(new Delivery.Subscribe("c-alice", "r1", "alice")));
        handler.handle(delivery(new Delivery.Subscribe("c-alice-2", "r1", "alice")));
        java.util.List<Delivery.Subscribe> gone = new java.util.ArrayList<>();
        handler.onGoneSubscription(gone::add);
        handler.handle(delivery(new Delivery.Subscribe("c-gone", "r1", "carol"))); // a connection no longer here: its leave
        assertThat(gone).containsExactly(new Delivery.Subscribe("c-gone", "r1", "carol"));
        assertThat(index.subscribers("r1")).containsExactlyInAnyOrder(alice, alice2, bob);
        assertThat(alice.subscriptions().requestedRooms()).containsExactly("r1"); // so its disconnect leaves the room
        handler.handle(toRoom("r1", 1, "hello"));
        assertThat(alice.events).hasSize(1);
        assertThat(alice2.events).hasSize(1);

        handler.handle(delivery(new Delivery.Unsubscribe("r1", "alice")));
        assertThat(index.subscribers("r1")).containsExactly(bob);
        assertThat(alice.subscriptions().requestedRooms()).isEmpty();
        assertThat(alice2.subscriptions().isIndexed("r1")).isFalse();
        handler.handle(toRoom("r1", 2, "after"));
        assertThat(alice.events).hasSize(1);
        assertThat(alice2.events).hasSize(1);
        assertThat(bob.events).hasSize(2);
    }
}
