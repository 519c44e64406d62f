package io.parley.edge.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.delivery.DeliveryHandler;
import io.parley.edge.delivery.MessageRooms;
import io.parley.edge.delivery.RoomIndex;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.session.ConnectionRegistry;
import io.parley.edge.session.FakeConnection;
import io.parley.edge.session.OutboundEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The seam of a resume at the edge: the DeliveryHandler holds a recovering room's live events for
 * the connection, the Resumer writes the missed messages read from a history source (here an
 * in-memory one whose completeness, storedSeq, the test moves to play a lagging store), then
 * room-recovered, then the held events past the recovered range, then live ones: no gap, no
 * duplicate. An added member's subscription (Subscribe with lastSeq and seq) recovers the same way.
 */
class ResumeSeamTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    /** An in-memory history: messages by seq, complete up to storedSeq. */
    static final class History implements HistorySource {
        final ConcurrentSkipListMap<Long, JsonNode> messages = new ConcurrentSkipListMap<>();
        volatile long storedSeq;
        volatile boolean down;

        void store(long seq) {
            messages.put(seq, message("r1", seq));
        }

        @Override
        public Page page(String userId, String roomId, long afterSeq, int limit) throws Unavailable {
            if (down) {
                throw new Unavailable("down");
            }
            long stored = storedSeq;
            List<JsonNode> page = new ArrayList<>();
            for (var entry : messages.tailMap(afterSeq, false).headMap(stored, true).entrySet()) {
                if (page.size() == limit) {
                    return new Page(page, true, stored);
                }
                page.add(entry.getValue());
            }
            return new Page(page, false, stored);
        }
    }

    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final RoomIndex index = new RoomIndex();
    private final DeliveryHandler handler = new DeliveryHandler(registry, index, new RateLimitTable(), new MessageRooms(100));
    private final FakeConnection alice = new FakeConnection("c-alice", "alice");
    private final History history = new History();
    private Resumer resumer;

    private void use(ResumeConfig config) {
        resumer = new Resumer(config, history, 1000);
        handler.useResumer(resumer);
        registry.add(alice);
    }

    @AfterEach
    void close() {
        if (resumer != null) {
            resumer.close();
        }
    }

    static JsonNode message(String room, long seq) {
        return Json.tree(new Protocol.Message("m" + seq, room, "bob", "text " + seq, "text", Protocol.isoTime(1L),
                Protocol.User.of("bob", null, null), seq, null, null));
    }

    private static Delivery toRoom(long seq) {
        return new Delivery("edge-test", 0, new Delivery.ToRoom("r1", seq, Protocol.NEW_MESSAGE, message("r1", seq)));
    }

    /** The client's join-room {roomId: r1, lastSeq} as CommandService publishes it: returns the join's own ref. */
    private String resume(long lastSeq, String clientRef) {
        assertThat(resumer.reserve(1)).isTrue();
        RoomRecovery recovery = resumer.reserved("r1", lastSeq, clientRef, null);
        String ref = RoomRecovery.REF_PREFIX + clientRef;
        alice.subscriptions().resumePending(ref, recovery);
        alice.subscriptions().requested("r1");
        return ref;
    }

    private void joinOk(String ref, long seq) {
        handler.handle(new Delivery("edge-test", 0, new Delivery.Reply("c-alice", ref, true,
                Json.tree(new Protocol.RoomAck("r1", seq)), null)));
    }

    /** "new-message 3 recovered", "room-recovered 2..5 false", "new-message 6". */
    private List<String> seen() {
        List<String> seen = new ArrayList<>();
        for (OutboundEvent event : alice.events) {
            JsonNode data = event.data();
            if (Protocol.ROOM_RECOVERED.equals(event.event())) {
                seen.add("room-recovered " + data.path("fromSeq").asLong() + ".." + data.path("toSeq").asLong()
                        + " " + data.path("truncated").asBoolean());
            } else if (Protocol.NEW_MESSAGE.equals(event.event())) {
                seen.add("new-message " + data.path("seq").asLong() + (data.path("recovered").asBoolean() ? " recovered" : ""));
            } else if (Protocol.MEMBER_ADDED.equals(event.event())) {
                assertThat(data.path("userId").asText()).isEqualTo("alice");
                assertThat(data.path("role").asText()).isEqualTo("member");
                assertThat(event.seq()).isEqualTo(data.path("seq").asLong());
                seen.add("member-added " + data.path("seq").asLong() + " by " + data.path("addedBy").asText());
            }
        }
        return seen;
    }

    private void awaitRecovered() {
        await().atMost(PATIENCE).until(() -> alice.events.stream().anyMatch(e -> Protocol.ROOM_RECOVERED.equals(e.event())));
    }

    @Test
    void liveEventsWaitForTheMissedOnesAndTheStoreIsAwaitedWhenItLags() {
        use(new ResumeConfig("http://history", 4, 60_000, 100, 0));
        for (long seq = 2; seq <= 5; seq++) {
            history.store(seq);
        }
        history.storedSeq = 3; // the store lags behind the join (seq 5)
        String ref = resume(1, "7");
        joinOk(ref, 5);
        assertThat(alice.replies).hasSize(1);
        ServerReply ack = alice.replies.getFirst();
        assertThat(ack.ref()).isEqualTo("7");
        assertThat(ack.data().path("recovering").asBoolean()).isTrue();
        assertThat(ack.data().path("seq").asLong()).isEqualTo(5);
        handler.handle(toRoom(6)); // live while recovering: held
        handler.handle(toRoom(7));
        await().atMost(PATIENCE).until(() -> seen().size() == 2); // 2 and 3 are in the store so far
        assertThat(seen()).containsExactly("new-message 2 recovered", "new-message 3 recovered");

        history.store(6); // the store catches up (and already has a live one: not sent twice)
        history.storedSeq = 6;
        awaitRecovered();
        handler.handle(toRoom(8));
        assertThat(seen()).containsExactly("new-message 2 recovered", "new-message 3 recovered",
                "new-message 4 recovered", "new-message 5 recovered", "room-recovered 2..5 false",
                "new-message 6", "new-message 7", "new-message 8");
        await().atMost(PATIENCE).until(() -> resumer.active() == 0);
        assertThat(alice.subscriptions().recovery("r1")).isNull();
    }

    private void subscribe() {
        handler.handle(new Delivery("edge-test", 0, new Delivery.Subscribe("c-alice", "r1", "alice")));
    }

    @Test
    void aSubscriptionBeforeTheResumeIsTakenOverWithNoDuplicateAndNoReordering() {
        use(new ResumeConfig("http://history", 4, 60_000, 100, 0, 60_000));
        handler.useSubscribeHold(60_000, 100);
        for (long seq = 2; seq <= 8; seq++) {
            history.store(seq);
        }
        history.storedSeq = 8;
        // Membership by user: the processors subscribe the reconnected connection before its resume.
        subscribe();
        handler.handle(toRoom(7)); // live, before the client said where it was: held, not written
        handler.handle(toRoom(8));
        assertThat(seen()).isEmpty();
        String ref = resume(1, "1");
        subscribe(); // a second subscription while the resume waits for its answer: changes nothing
        joinOk(ref, 8);
        handler.handle(toRoom(9));
        awaitRecovered();
        handler.handle(toRoom(10));
        assertThat(seen()).containsExactly("new-message 2 recovered", "new-message 3 recovered",
                "new-message 4 recovered", "new-message 5 recovered", "new-message 6 recovered",
                "new-message 7 recovered", "new-message 8 recovered", "room-recovered 2..8 false",
                "new-message 9", "new-message 10");
    }

    @Test
    void aSubscriptionNobodyResumesIsReleasedInOrderByAPlainJoinOrItsTime() {
        use(new ResumeConfig("http://history", 4, 60_000, 100, 0, 60_000));
        handler.useSubscribeHold(60_000, 100);
        subscribe();
        handler.handle(toRoom(3));
        handler.handle(toRoom(4));
        assertThat(seen()).isEmpty();
        alice.subscriptions().requested("r1");
        joinOk("j1", 4); // a plain join-room: its answer, then what was held, then live
        handler.handle(toRoom(5));
        assertThat(alice.replies).extracting(ServerReply::ref).containsExactly("j1");
        assertThat(seen()).containsExactly("new-message 3", "new-message 4", "new-message 5");

        FakeConnection bob = new FakeConnection("c-bob", "bob");
        registry.add(bob);
        handler.handle(new Delivery("edge-test", 0, new Delivery.Subscribe("c-bob", "r1", "bob")));
        handler.handle(toRoom(6));
        assertThat(bob.events).isEmpty();
        handler.releaseDueHolds(System.currentTimeMillis()); // not due yet
        assertThat(bob.events).isEmpty();
        handler.releaseDueHolds(System.currentTimeMillis() + 60_001); // the hold time passed
        handler.handle(toRoom(7));
        assertThat(bob.events).extracting(e -> e.data().path("seq").asLong()).containsExactly(6L, 7L);
    }

    @Test
    void anAddedMembersSubscriptionRecoversWhatCameAfterTheAddThenGoesLiveWithoutAJoinOrAHold() {
        use(new ResumeConfig("http://history", 4, 60_000, 100, 0, 60_000));
        handler.useSubscribeHold(60_000, 100); // a plain subscription would hold; an added member's does not wait for the client
        history.store(3);                      // a message sent after the add (seq 2) and before the subscription (seq 4)
        history.storedSeq = 2;                 // the history store lags
        handler.handle(new Delivery("edge-test", 0, new Delivery.Subscribe("c-alice", "r1", "alice", 2L, 4L, "carol")));
        assertThat(index.subscribers("r1")).contains(alice);
        assertThat(alice.subscriptions().isRequested("r1")).isTrue(); // its disconnect leaves the room
        handler.handle(toRoom(5));             // live while recovering: held
        handler.handle(new Delivery("edge-test", 0, new Delivery.Subscribe("c-alice", "r1", "alice"))); // a repeat: nothing
        history.storedSeq = 5;                 // the store caught up (and has the live one: not sent twice)
        history.store(5);
        awaitRecovered();
        handler.handle(toRoom(6));
        assertThat(seen()).containsExactly("member-added 2 by carol", "new-message 3 recovered", "room-recovered 3..4 false",
                "new-message 5", "new-message 6");
        assertThat(alice.replies).isEmpty(); // the client asked nothing: no ack
        await().atMost(PATIENCE).until(() -> resumer.active() == 0);

        // Already in the room (it joined itself first): the plain subscription, nothing recovered.
        FakeConnection bob = new FakeConnection("c-bob", "bob");
        registry.add(bob);
        bob.subscriptions().requested("r1");
        handler.handle(new Delivery("edge-test", 0, new Delivery.Reply("c-bob", "j", true, Json.tree(new Protocol.RoomAck("r1", 6)), null)));
        handler.handle(new Delivery("edge-test", 0, new Delivery.Subscribe("c-bob", "r1", "bob", 2L, 6L, "carol")));
        handler.handle(toRoom(7));
        assertThat(bob.events).extracting(OutboundEvent::event).containsExactly(Protocol.NEW_MESSAGE);
        assertThat(resumer.active()).isZero();
    }

    @Test
    void bigGapsArePagedInOrder() {
        use(new ResumeConfig("http://history", 4, 60_000, 100, 0));
        for (long seq = 11; seq <= 1_010; seq++) {
            history.store(seq);
        }
        history.storedSeq = 1_012; // 1,011 and 1,012: member events, not messages
        joinOk(resume(10, "1"), 1_012);
        awaitRecovered();
        List<String> seen = seen();
        assertThat(seen).hasSize(1_001);
        for (int i = 0; i < 1_000; i++) {
            assertThat(seen.get(i)).isEqualTo("new-message " + (11 + i) + " recovered");
        }
        assertThat(seen.getLast()).isEqualTo("room-recovered 11..1012 false");
    }

    @Test
    void heldEventsPastTheBoundAreReadFromTheStoreInstead() {
        use(new ResumeConfig("http://history", 4, 60_000, 2, 0));
        history.store(2);
        history.storedSeq = 1;
        joinOk(resume(1, "1"), 3);
        handler.handle(toRoom(4));
        handler.handle(toRoom(5));
        handler.handle(toRoom(6)); // past the bound of 2: all three dropped, recovered up to 6 instead
        handler.handle(toRoom(7)); // held
        for (long seq = 4; seq <= 6; seq++) {
            history.store(seq);
        }
        history.storedSeq = 7;
        awaitRecovered();
        assertThat(seen()).containsExactly("new-message 2 recovered", "new-message 4 recovered",
                "new-message 5 recovered", "new-message 6 recovered", "room-recovered 2..6 false", "new-message 7");
    }

    @Test
    void aStoreThatNeverCatchesUpEndsTruncatedWithTheHeldEvents() {
        use(new ResumeConfig("http://history", 4, 200, 100, 0));
        history.down = true;
        joinOk(resume(1, "1"), 5);
        handler.handle(toRoom(6));
        awaitRecovered();
        assertThat(seen()).containsExactly("room-recovered 2..5 true", "new-message 6");
        await().atMost(PATIENCE).until(() -> resumer.active() == 0);
    }

    @Test
    void nothingMissedEndsAtOnceAndARefusedJoinGivesItsPermitBack() {
        use(new ResumeConfig("http://history", 1, 60_000, 100, 0));
        joinOk(resume(5, "1"), 5);
        awaitRecovered();
        assertThat(seen()).containsExactly("room-recovered 6..5 false");
        await().atMost(PATIENCE).until(() -> resumer.active() == 0);

        String ref = resume(0, "2");
        assertThat(resumer.reserve(1)).as("one permit: taken").isFalse();
        handler.handle(new Delivery("edge-test", 0, new Delivery.Reply("c-alice", ref, false, null,
                ErrorBody.of(ErrorCode.AUTHORIZATION_FAILED, "private room"))));
        assertThat(alice.replies.getLast().ref()).isEqualTo("2");
        assertThat(alice.replies.getLast().error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(resumer.active()).isZero();
    }

    @Test
    void aResumeIsAnsweredOnceForAllItsRoomsBeforeAnyRecoveredMessage() {
        use(new ResumeConfig("http://history", 4, 60_000, 100, 0));
        history.store(2);
        history.storedSeq = 2;
        assertThat(resumer.reserve(2)).isTrue();
        ResumeBatch batch = new ResumeBatch("9", List.of("r1", "r2"));
        RoomRecovery r1 = resumer.reserved("r1", 1, null, batch);
        RoomRecovery r2 = resumer.reserved("r2", 0, null, batch);
        alice.subscriptions().resumePending(RoomRecovery.REF_PREFIX + "a", r1);
        alice.subscriptions().resumePending(RoomRecovery.REF_PREFIX + "b", r2);
        alice.subscriptions().requested("r1");
        alice.subscriptions().requested("r2");
        joinOk(RoomRecovery.REF_PREFIX + "a", 2);
        assertThat(alice.replies).isEmpty();
        handler.handle(new Delivery("edge-test", 0, new Delivery.Reply("c-alice", RoomRecovery.REF_PREFIX + "b", false, null,
                ErrorBody.of(ErrorCode.INVALID_ROOM, "no"))));
        assertThat(alice.replies).hasSize(1);
        JsonNode rooms = alice.replies.getFirst().data().path("rooms");
        assertThat(alice.replies.getFirst().ref()).isEqualTo("9");
        assertThat(rooms.get(0).path("roomId").asText()).isEqualTo("r1");
        assertThat(rooms.get(0).path("recovering").asBoolean()).isTrue();
        assertThat(rooms.get(1).path("roomId").asText()).isEqualTo("r2");
        assertThat(rooms.get(1).path("error").path("code").asText()).isEqualTo("INVALID_ROOM");
        awaitRecovered();
        assertThat(seen()).containsExactly("new-message 2 recovered", "room-recovered 2..2 false");
        await().atMost(PATIENCE).until(() -> resumer.active() == 0);
    }

    @Test
    void theSeamDropsHeldEventsAtOrBelowTheRecoveredRangeAndLetsUnsequencedOnesThrough() {
        RoomRecovery recovery = new RoomRecovery("r1", 1, "1", null, 100, () -> { });
        recovery.joined(5);
        OutboundEvent stale = new OutboundEvent(Protocol.NEW_MESSAGE, message("r1", 5), "r1", 5);
        OutboundEvent presence = new OutboundEvent(Protocol.PRESENCE_UPDATE, Json.MAPPER.createObjectNode(), "r1", 0);
        OutboundEvent next = new OutboundEvent(Protocol.NEW_MESSAGE, message("r1", 6), "r1", 6);
        assertThat(recovery.hold(stale, 5)).isTrue();
        assertThat(recovery.hold(presence, 0)).isTrue();
        assertThat(recovery.hold(next, 6)).isTrue();
        recovery.finish(alice, false);
        assertThat(alice.events).extracting(OutboundEvent::event)
                .containsExactly(Protocol.ROOM_RECOVERED, Protocol.PRESENCE_UPDATE, Protocol.NEW_MESSAGE);
        assertThat(alice.events.getLast()).isSameAs(next);
        assertThat(recovery.hold(next, 7)).as("after the seam: delivered directly").isFalse();
    }
}
