/*
 * MessageStageTest owns the TopologyTestDriver checks of messages in the room stage: gap-free seq, validation and authorization errors, clientMsgId
 * resends, replays of the same event id, recovery from a crash between a decision and its state
 * writes, decision expiry, unparseable records, slot partitioning, user objects from display fields.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.json.Serdes;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.Main;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.SlotPartitioner;
import io.parley.processors.Stores;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class MessageStageTest extends RoomStageTest {
    @Test
    void seqIsPerRoomAndHasNoGaps() {
        pipe(join("alice", "edge-a", 0, "a1"));
        pipe(join("alice", "edge-a", 0, "a1", "other-room"));
        pipe(send("bob", "edge-a", 0, "b1", null, "refused: not joined", null));        // no seq
        pipe(send("alice", "edge-a", 0, "a1", null, " ", null));                         // no seq
        for (int i = 0; i < 20; i++) {
            pipe(send("alice", "edge-a", 0, "a1", "c-" + i, "msg " + i, null));
            pipe(send("alice", "edge-a", 0, "a1", "c-" + i, "msg " + i, null));           // resend: no seq
        }
        pipe(send("alice", "edge-a", 0, "a1", null, "elsewhere", null, "other-room"));
        pipe(leave("alice", "edge-a", 0, "a1", "client"));

        // Every event of both rooms, in output order.
        assertThat(seen.stream().filter(e -> e.roomId().equals(ROOM)).map(RoomEvent::seq).toList())
                .containsExactlyElementsOf(range(1, 22));
        assertThat(seen.stream().filter(e -> e.roomId().equals("other-room")).map(RoomEvent::seq).toList())
                .containsExactly(1L, 2L);
    }

    @Test
    void sendWithoutJoiningIsRefused() {
        pipe(join("alice", "edge-a", 0, "a1"));
        Out out = pipe(send("bob", "edge-b", 5, "b1", "m-1", "let me in", null));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).singleElement().satisfies(d ->
                assertError(d, "edge-b", 5, "b1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(out.deliveries().getFirst().value().body()).isInstanceOfSatisfying(Delivery.Reply.class,
                r -> assertThat(r.error().message()).isEqualTo("join the room first"));
    }

    @Test
    void invalidMessagesAndRoomsAreRefusedWithoutUsingASeq() {
        pipe(join("alice", "edge-a", 0, "a1"));
        String twentyEmoji = "\uD83D\uDE00".repeat(20); // 20 code points, 40 chars: allowed at max 20
        List<RoomCommand> invalid = List.of(
                send("alice", "edge-a", 0, "a1", null, null, null),
                send("alice", "edge-a", 0, "a1", null, "   \n", null),
                send("alice", "edge-a", 0, "a1", null, twentyEmoji + "!", null),
                send("alice", "edge-a", 0, "a1", "has space", "hello", null),
                send("alice", "edge-a", 0, "a1", "x".repeat(65), "hello", null),
                send("alice", "edge-a", 0, "a1", null, "hello", " "));
        for (RoomCommand command : invalid) {
            Out out = pipe(command);
            assertThat(out.events()).as(command.toString()).isEmpty();
            assertThat(out.deliveries()).as(command.toString()).singleElement()
                    .satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_MESSAGE));
        }
        for (String room : new String[]{"bad room", "", "x".repeat(129), "a|b"}) {
            Out out = pipe(join("alice", "edge-a", 0, "a1", room));
            assertThat(out.events()).isEmpty();
            assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_ROOM));
        }
        Out out = pipe(send("alice", "edge-a", 0, "a1", null, twentyEmoji, "01J0000000000000000000000"));
        assertThat(out.eventSeqs()).containsExactly(2L);
    }

    @Test
    void resendWithSameClientMsgIdGetsTheOriginalAckAndNothingElse() {
        pipe(join("alice", "edge-a", 0, "a1"));
        pipe(join("alice", "edge-b", 5, "a2"));
        RoomCommand original = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        Out first = pipe(original);
        assertThat(first.eventSeqs()).containsExactly(2L);

        // The same message again, under a new event id, from the other device and with another ref.
        Out again = pipe(send("alice", "edge-b", 5, "a2", "m-1", "hello", null));
        assertThat(again.events()).isEmpty();
        assertThat(again.deliveries()).singleElement().satisfies(d ->
                assertReply(d, "edge-b", 5, "a2", new Protocol.Message(original.eventId(), ROOM, "alice", "hello", "text",
                        Protocol.isoTime(original.timestamp()), new Protocol.User("alice", "alice", null), 2, "m-1", null)));

        // Another user's m-1 is another message; so is alice's m-2.
        pipe(join("bob", "edge-a", 0, "b1"));
        assertThat(pipe(send("bob", "edge-a", 0, "b1", "m-1", "mine", null)).eventSeqs()).containsExactly(4L);
        assertThat(pipe(send("alice", "edge-a", 0, "a1", "m-2", "next", null)).eventSeqs()).containsExactly(5L);
    }

    @Test
    void aCommandSeenAgainReEmitsItsOriginalOutputs() {
        RoomCommand joinA = join("alice", "edge-a", 0, "a1");
        RoomCommand joinB = join("bob", "edge-b", 5, "b1");
        RoomCommand hello = send("alice", "edge-a", 0, "a1", null, "hello", null);
        RoomCommand bye = leave("bob", "edge-b", 5, "b1", "client");
        RoomCommand refused = send("carol", "edge-a", 0, "c1", null, "hi", null);
        List<RoomCommand> all = List.of(joinA, joinB, hello, bye, refused);
        List<Out> originals = all.stream().map(this::pipe).toList();

        // Seen again in order (a replay after a crash) and once more much later (a late duplicate):
        // identical outputs each time, and the room's state does not move.
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < all.size(); i++) {
                Out again = pipe(all.get(i));
                assertThat(again.events()).as("events of %s", all.get(i)).isEqualTo(originals.get(i).events());
                assertThat(again.deliveries()).as("deliveries of %s", all.get(i)).isEqualTo(originals.get(i).deliveries());
            }
        }
        assertThat(originals.get(2).eventSeqs()).containsExactly(3L);
        assertThat(pipe(send("alice", "edge-a", 0, "a1", null, "next", null)).eventSeqs()).containsExactly(5L);
    }

    @Test
    void aCrashBetweenTheDecisionAndTheStateWritesIsFinishedOnReplay() {
        pipe(join("alice", "edge-a", 0, "a1"));
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        RoomEntry headBefore = store.get(RoomKeys.head(ROOM));
        RoomCommand hello = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        Out original = pipe(hello);

        // What the restored store holds if the process died right after writing the decision:
        // the decision, but neither the clientMsgId ack nor the new head.
        store.put(RoomKeys.head(ROOM), headBefore);
        store.delete(RoomKeys.clientMsg(ROOM, "alice", "m-1"));

        Out replayed = pipe(hello);
        assertThat(replayed.events()).isEqualTo(original.events());
        assertThat(replayed.deliveries()).isEqualTo(original.deliveries());
        assertThat(store.get(RoomKeys.head(ROOM))).isEqualTo(new RoomEntry.Head(2, 2));
        assertThat(store.get(RoomKeys.clientMsg(ROOM, "alice", "m-1"))).isEqualTo(new RoomEntry.ClientMsg(hello.eventId(), 2, hello.timestamp()));
        assertThat(pipe(send("alice", "edge-a", 0, "a1", null, "next", null)).eventSeqs()).containsExactly(3L);
    }

    @Test
    void aCrashBeforeTheDecisionWasStoredDecidesTheSameAgain() {
        pipe(join("alice", "edge-a", 0, "a1"));
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        RoomCommand hello = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        Out original = pipe(hello);

        // Nothing of the command reached the changelog, but its outputs did.
        store.delete(RoomKeys.done(hello));
        store.delete(RoomKeys.clientMsg(ROOM, "alice", "m-1"));
        store.put(RoomKeys.head(ROOM), new RoomEntry.Head(1, 1));

        Out replayed = pipe(hello);
        assertThat(replayed.events()).isEqualTo(original.events());
        assertThat(replayed.deliveries()).isEqualTo(original.deliveries());
    }

    @Test
    void aDecisionFiledUnderItsCommandsTimestampBeforeTheUpgradeIsStillFound() {
        pipe(join("alice", "edge-a", 0, "a1"));
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        clock += 7;
        // The edge's clock read for the timestamp a millisecond after the event id's.
        RoomCommand hello = new RoomCommand(ulid(clock - 1, 999), ROOM, "alice", "edge-a", 0, "a1", "ref-x", clock,
                new RoomCommand.Send("m-1", "hello", null));
        Out original = pipe(hello);
        assertThat(RoomKeys.legacyDone(hello)).isNotEqualTo(RoomKeys.done(hello));

        // As stored before decisions were filed by the id's time, in a store of before the filing
        // mark: restarted on such a store, a replay finds it, decides nothing new.
        List<org.apache.kafka.streams.KeyValue<String, RoomEntry>> before = new java.util.ArrayList<>();
        try (var it = store.all()) {
            it.forEachRemaining(before::add);
        }
        restart(Instant.ofEpochMilli(clock));
        store = driver.getKeyValueStore(Stores.ROOM_STATE);
        for (var entry : before) {
            if (entry.key.equals(RoomKeys.done(hello))) {
                store.put(RoomKeys.legacyDone(hello), entry.value);
            } else if (!entry.key.equals(RoomKeys.FILING)) {
                store.put(entry.key, entry.value);
            }
        }
        Out replayed = pipe(hello);
        assertThat(replayed.events()).isEqualTo(original.events());
        assertThat(replayed.deliveries()).isEqualTo(original.deliveries());
        assertThat(store.get(RoomKeys.head(ROOM))).isEqualTo(new RoomEntry.Head(2, 2));
        // The mark: such keys are looked for until every one of them is past the retention.
        long until = clock + Stores.DECISION_RETENTION.plus(Stores.DECISION_EXPIRY_INTERVAL).toMillis();
        assertThat(store.get(RoomKeys.FILING)).isEqualTo(new RoomEntry.Filing(until));
        storeSupplier.store.take();
        pipe(skewed("next"));
        assertThat(storeSupplier.store.take()).filteredOn(op -> op.startsWith("get d|")).hasSize(2);

        // Past it (the expiry punctuator notices), a new command's decision is looked for once.
        driver.advanceWallClockTime(Stores.DECISION_RETENTION.plus(Stores.DECISION_EXPIRY_INTERVAL).plus(Duration.ofMinutes(10)));
        storeSupplier.store.take();
        pipe(skewed("later"));
        assertThat(storeSupplier.store.take()).filteredOn(op -> op.startsWith("get d|")).hasSize(1);
    }

    /** A send whose edge timestamp is a millisecond after its event id's (so its key of before differs). */
    private RoomCommand skewed(String text) {
        clock += 7;
        return new RoomCommand(ulid(clock - 1, ids.incrementAndGet()), ROOM, "alice", "edge-a", 0, "a1", "ref-" + text, clock,
                new RoomCommand.Send(null, text, null));
    }

    @Test
    void aStoreThatHadNoDecisionsNeverLooksForTheKeysOfBefore() {
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        pipe(join("alice", "edge-a", 0, "a1"));
        assertThat(store.get(RoomKeys.FILING)).isEqualTo(new RoomEntry.Filing(0));
        clock += 7;
        RoomCommand hello = new RoomCommand(ulid(clock - 1, 999), ROOM, "alice", "edge-a", 0, "a1", "ref-x", clock,
                new RoomCommand.Send("m-1", "hello", null));
        storeSupplier.store.take();
        pipe(hello);
        assertThat(storeSupplier.store.take()).filteredOn(op -> op.startsWith("get d|")).containsExactly("get " + RoomKeys.done(hello));
        // A restart keeps the mark: still never.
        restart(Instant.ofEpochMilli(clock));
        storeSupplier.store.take();
        pipe(skewed("next"));
        assertThat(storeSupplier.store.take()).filteredOn(op -> op.startsWith("get d|")).hasSize(1);
        assertThat(driver.<String, RoomEntry>getKeyValueStore(Stores.ROOM_STATE).get(RoomKeys.FILING)).isEqualTo(new RoomEntry.Filing(0));
    }

    @Test
    void aMessageCostsTheRoomStateChangelogItsDecisionItsAckAndTheHead() {
        // Issue 10's per-message budget: decision (also the message index), clientMsgId ack, head last.
        String changelog = "room-test-" + Stores.ROOM_STATE + "-changelog";
        pipe(join("alice", "edge-a", 0, "a1"));
        var records = driver.createOutputTopic(changelog, new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer());
        records.readRecordsToList();
        RoomCommand hello = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        pipe(hello);
        assertThat(records.readKeyValuesToList()).extracting(kv -> kv.key)
                .containsExactly(RoomKeys.done(hello), RoomKeys.clientMsg(ROOM, "alice", "m-1"), RoomKeys.head(ROOM));
        pipe(send("alice", "edge-a", 0, "a1", null, "no id", null));
        assertThat(records.readKeyValuesToList()).hasSize(2); // without a clientMsgId: decision and head
        assertThat(driver.producedTopicNames()).contains(changelog);
    }

    @Test
    void decisionsAndClientMsgIdsExpireAfterTheRetention() {
        pipe(join("alice", "edge-a", 0, "a1"));
        pipe(send("alice", "edge-a", 0, "a1", "m-1", "hello", null));
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        assertThat(store.get(RoomKeys.clientMsg(ROOM, "alice", "m-1"))).isNotNull();

        driver.advanceWallClockTime(Stores.DECISION_RETENTION.plus(Stores.DECISION_EXPIRY_INTERVAL).plus(Duration.ofMinutes(1)));

        assertThat(store.get(RoomKeys.clientMsg(ROOM, "alice", "m-1"))).isNull();
        try (var it = store.range(RoomKeys.DONE_PREFIX, RoomKeys.doneUpperBound(Long.MAX_VALUE))) {
            assertThat(it.hasNext()).isFalse();
        }
        // Membership and seq are not decisions: they stay.
        assertThat(store.get(RoomKeys.head(ROOM))).isEqualTo(new RoomEntry.Head(2, 2));
    }

    @Test
    void aRecordThatDoesNotParseIsSkipped() {
        TestInputTopic<String, String> raw = driver.createInputTopic(CONFIG.topic(Topic.ROOM_COMMANDS),
                new StringSerializer(), new StringSerializer());
        raw.pipeInput(ROOM, "{not json");
        raw.pipeInput(ROOM, "{\"eventId\":\"x\",\"body\":{\"type\":\"no-such-command\"}}");
        assertThat(events.isEmpty()).isTrue();
        assertThat(deliveries.isEmpty()).isTrue();
        assertThat(pipe(join("alice", "edge-a", 0, "a1")).eventSeqs()).containsExactly(1L);
    }

    @Test
    void deliveriesArePartitionedByTheNodesSlot() {
        SlotPartitioner partitioner = new SlotPartitioner();
        pipe(join("alice", "edge-a", 3, "a1"));
        pipe(join("bob", "edge-b", 21, "b1"));
        Out out = pipe(send("alice", "edge-a", 3, "a1", null, "hello", null));
        assertThat(out.deliveries()).hasSize(2).allSatisfy(d -> {
            assertThat(d.key()).isEqualTo(d.value().edgeNodeId());
            assertThat(partitioner.partitions(CONFIG.topic(Topic.DELIVERIES), d.key(), d.value(), DELIVERY_PARTITIONS))
                    .contains(Set.of(d.value().edgeSlot() % DELIVERY_PARTITIONS));
        });
        assertThat(out.deliveries().stream().map(d -> d.value().edgeSlot()).toList()).containsExactly(3, 21);
    }

    @Test
    void theSendersDisplayFieldsFromTheEdgeMakeTheUserObjects() {
        pipe(withDisplay(join("alice", "edge-a", 0, "a1"), "Alice A.", "https://img/alice.png"));
        Out out = pipe(withDisplay(join("bob", "edge-b", 5, "b1"), "Bob", null));
        Protocol.User bob = new Protocol.User("bob", "Bob", null);
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, bob, "bob", 2));
        assertThat(out.deliveries().get(1).value().body()).isInstanceOfSatisfying(Delivery.ToRoom.class, toRoom ->
                assertThat(toRoom.data().get("user").has("avatarUrl")).isTrue()); // null, but present, as the seed's server writes it

        RoomCommand image = withDisplay(command("alice", "edge-a", 0, "a1", ROOM,
                new RoomCommand.Send("c-9", "https://img/cat.png", "image", null)), "Alice A.", "https://img/alice.png");
        out = pipe(image);
        Protocol.User alice = new Protocol.User("alice", "Alice A.", "https://img/alice.png");
        Protocol.Message message = new Protocol.Message(image.eventId(), ROOM, "alice", "https://img/cat.png", "image",
                Protocol.isoTime(image.timestamp()), alice, 3, "c-9", null);
        assertToRoom(out.deliveries().get(0), "edge-a", 0, 3, Protocol.NEW_MESSAGE, message); // with alice's ack
        assertToRoom(out.deliveries().get(1), "edge-b", 5, 3, Protocol.NEW_MESSAGE, message);
        assertThat(out.events().get(0).value().body()).isEqualTo(new RoomEvent.MessageSent(image.eventId(), "c-9",
                "https://img/cat.png", "image", null, "Alice A.", "https://img/alice.png"));

        out = pipe(withDisplay(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.TypingStart()), "Alice A.", null));
        assertToRoom(out.deliveries().get(0), "edge-a", 0, 0, Protocol.USER_TYPING, new Protocol.Typing(ROOM, "alice", "Alice A."));
    }

    @Test
    void anUnknownMessageTypeIsRefused() {
        pipe(join("alice", "edge-a", 0, "a1"));
        Out out = pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.Send(null, "hi", "system", null)));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_MESSAGE));
    }
}
