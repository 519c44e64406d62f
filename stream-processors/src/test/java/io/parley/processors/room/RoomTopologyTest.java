/*
 * RoomTopologyTest owns the behavioural checks of the room stage, run on the real topology in a
 * TopologyTestDriver: join/send/leave with two edge nodes (exact deliveries per node, keys and
 * slot partitions), gap-free seq, validation and authorization errors, clientMsgId resends,
 * replays of the same event id, recovery from a crash between a decision and its state writes, and
 * typing indicators (fan-out without the typist, no re-broadcast on refresh, wall-clock expiry,
 * stop on send and on disconnect, members only, never a room event).
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

class RoomTopologyTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final String ROOM = "general";
    private static final int DELIVERY_PARTITIONS = Topic.DELIVERIES.partitions();
    private static final ProcessorsConfig CONFIG = ProcessorsConfig.from(Map.of(
            "PARLEY_TOPIC_NAMESPACE", "test.", "PARLEY_MAX_MESSAGE_LENGTH", "20"));

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, RoomCommand> commands;
    private TestOutputTopic<String, RoomEvent> events;
    private TestOutputTopic<String, Delivery> deliveries;
    private final AtomicInteger ids = new AtomicInteger();
    private long clock = T0;

    @BeforeEach
    void start() {
        StreamsBuilder builder = new StreamsBuilder();
        new RoomTopology(CONFIG).build(builder);
        Properties props = Main.streamsProperties(CONFIG); // the production settings (handlers, guarantee)
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "room-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(T0));
        commands = driver.createInputTopic(CONFIG.topic(Topic.ROOM_COMMANDS), new StringSerializer(), Serdes.roomCommand());
        events = driver.createOutputTopic(CONFIG.topic(Topic.ROOM_EVENTS), new StringDeserializer(), Serdes.roomEvent());
        deliveries = driver.createOutputTopic(CONFIG.topic(Topic.DELIVERIES), new StringDeserializer(), Serdes.delivery());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // --- the flow across two edge nodes ------------------------------------------------------

    @Test
    void joinSendLeaveWithTwoEdgeNodesDeliversOncePerNode() {
        // alice joins on edge-a: reply first, then user-joined to edge-a (the only node).
        Out out = pipe(join("alice", "edge-a", 0, "a1"));
        assertThat(out.events).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(ROOM);
            assertThat(e.value().seq()).isEqualTo(1);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberJoined());
        });
        assertThat(out.deliveries).hasSize(2);
        assertReply(out.deliveries.get(0), "edge-a", 0, "a1", new Protocol.RoomAck(ROOM, 1));
        assertToRoom(out.deliveries.get(1), "edge-a", 0, 1, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("alice", null, null), "alice", 1));
        // Seed 004 tells the other members (socket.to(room)): not the joiner's own sockets.
        assertThat(((Delivery.ToRoom) out.deliveries.get(1).value().body()).excludeUserId()).isEqualTo("alice");

        // bob joins on edge-b (slot 5): user-joined goes to both nodes, once each; the reply comes first.
        out = pipe(join("bob", "edge-b", 5, "b1"));
        assertThat(out.eventSeqs()).containsExactly(2L);
        assertThat(out.deliveries).hasSize(3);
        assertReply(out.deliveries.get(0), "edge-b", 5, "b1", new Protocol.RoomAck(ROOM, 2));
        assertToRoom(out.deliveries.get(1), "edge-a", 0, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("bob", null, null), "bob", 2));
        assertToRoom(out.deliveries.get(2), "edge-b", 5, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("bob", null, null), "bob", 2));

        // alice's second device, on edge-b: she is already a member, so only the reply.
        out = pipe(join("alice", "edge-b", 5, "a2"));
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).hasSize(1);
        assertReply(out.deliveries.get(0), "edge-b", 5, "a2", new Protocol.RoomAck(ROOM, 2));

        // carol on edge-a: now each node holds two sockets of the room.
        out = pipe(join("carol", "edge-a", 0, "c1"));
        assertThat(out.eventSeqs()).containsExactly(3L);
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");

        // alice sends from a1: one new-message per node (not per socket); the ack to a1 rides in edge-a's.
        RoomCommand send = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        out = pipe(send);
        assertThat(out.events).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(4);
            assertThat(e.value().eventId()).isEqualTo(send.eventId());
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MessageSent(send.eventId(), "m-1", "hello", null));
        });
        assertThat(out.deliveries).hasSize(2);
        // The message object (seed 004's messageWithUser) is the ack's data and new-message's.
        Protocol.Message message = new Protocol.Message(send.eventId(), ROOM, "alice", "hello", "text",
                Protocol.isoTime(send.timestamp()), new Protocol.User("alice", "alice", null), 4, "m-1", null);
        assertToRoom(out.deliveries.get(0), "edge-a", 0, 4, Protocol.NEW_MESSAGE, message);
        assertToRoom(out.deliveries.get(1), "edge-b", 5, 4, Protocol.NEW_MESSAGE, message);
        assertThat(((Delivery.ToRoom) out.deliveries.get(0).value().body()).ack())
                .isEqualTo(new Delivery.Ack("a1", send.ref()));
        assertThat(((Delivery.ToRoom) out.deliveries.get(1).value().body()).ack()).isNull();

        // bob leaves by request: ack, member-left, user-left to both nodes (alice's a2 keeps edge-b in the room).
        out = pipe(leave("bob", "edge-b", 5, "b1", "client"));
        assertThat(out.events).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(5);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberLeft("client"));
        });
        assertReply(out.deliveries.get(0), "edge-b", 5, "b1", new Protocol.RoomAck(ROOM, 5));
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");

        // a2 disconnects: alice is still a member through a1; no reply to a closed socket, no event.
        out = pipe(leave("alice", "edge-b", 5, "a2", "disconnect"));
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).isEmpty();

        // edge-b holds no socket of the room any more: carol's message goes to edge-a only.
        out = pipe(send("carol", "edge-a", 0, "c1", null, "hi", null));
        assertThat(out.eventSeqs()).containsExactly(6L);
        assertThat(out.deliveries).hasSize(1);
        assertThat(out.toRoomNodes()).containsExactly("edge-a");

        // alice's last connection disconnects: member-left(disconnect), no reply, user-left to edge-a.
        out = pipe(leave("alice", "edge-a", 0, "a1", "disconnect"));
        assertThat(out.events).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(7);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberLeft("disconnect"));
        });
        assertThat(out.deliveries).singleElement().satisfies(d ->
                assertToRoom(d, "edge-a", 0, 7, Protocol.USER_LEFT, new Protocol.MembershipChange(ROOM, Protocol.User.of("alice", null, null), "alice", 7)));
    }

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

    // --- refusals ---------------------------------------------------------------------------

    @Test
    void sendWithoutJoiningIsRefused() {
        pipe(join("alice", "edge-a", 0, "a1"));
        Out out = pipe(send("bob", "edge-b", 5, "b1", "m-1", "let me in", null));
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).singleElement().satisfies(d ->
                assertError(d, "edge-b", 5, "b1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(out.deliveries.getFirst().value().body()).isInstanceOfSatisfying(Delivery.Reply.class,
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
            assertThat(out.events).as(command.toString()).isEmpty();
            assertThat(out.deliveries).as(command.toString()).singleElement()
                    .satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_MESSAGE));
        }
        for (String room : new String[]{"bad room", "", "x".repeat(129), "a|b"}) {
            Out out = pipe(join("alice", "edge-a", 0, "a1", room));
            assertThat(out.events).isEmpty();
            assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_ROOM));
        }
        Out out = pipe(send("alice", "edge-a", 0, "a1", null, twentyEmoji, "01J0000000000000000000000"));
        assertThat(out.eventSeqs()).containsExactly(2L);
    }

    // --- idempotency ------------------------------------------------------------------------

    @Test
    void resendWithSameClientMsgIdGetsTheOriginalAckAndNothingElse() {
        pipe(join("alice", "edge-a", 0, "a1"));
        pipe(join("alice", "edge-b", 5, "a2"));
        RoomCommand original = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        Out first = pipe(original);
        assertThat(first.eventSeqs()).containsExactly(2L);

        // The same message again, under a new event id, from the other device and with another ref.
        Out again = pipe(send("alice", "edge-b", 5, "a2", "m-1", "hello", null));
        assertThat(again.events).isEmpty();
        assertThat(again.deliveries).singleElement().satisfies(d ->
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
                assertThat(again.events).as("events of %s", all.get(i)).isEqualTo(originals.get(i).events);
                assertThat(again.deliveries).as("deliveries of %s", all.get(i)).isEqualTo(originals.get(i).deliveries);
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
        assertThat(replayed.events).isEqualTo(original.events);
        assertThat(replayed.deliveries).isEqualTo(original.deliveries);
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
        assertThat(replayed.events).isEqualTo(original.events);
        assertThat(replayed.deliveries).isEqualTo(original.deliveries);
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

        // As stored before decisions were filed by the id's time: a replay finds it, decides nothing new.
        store.put(RoomKeys.legacyDone(hello), store.get(RoomKeys.done(hello)));
        store.delete(RoomKeys.done(hello));
        Out replayed = pipe(hello);
        assertThat(replayed.events).isEqualTo(original.events);
        assertThat(replayed.deliveries).isEqualTo(original.deliveries);
        assertThat(store.get(RoomKeys.head(ROOM))).isEqualTo(new RoomEntry.Head(2, 2));
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
        assertThat(out.deliveries).hasSize(2).allSatisfy(d -> {
            assertThat(d.key()).isEqualTo(d.value().edgeNodeId());
            assertThat(partitioner.partitions(CONFIG.topic(Topic.DELIVERIES), d.key(), d.value(), DELIVERY_PARTITIONS))
                    .contains(Set.of(d.value().edgeSlot() % DELIVERY_PARTITIONS));
        });
        assertThat(out.deliveries.stream().map(d -> d.value().edgeSlot()).toList()).containsExactly(3, 21);
    }

    // --- read positions ---------------------------------------------------------------------

    @Test
    void markReadMovesForwardOnlyIsARoomEventAndReachesTheRoom() {
        pipe(join("alice", "edge-a", 0, "a1"));                        // seq 1
        pipe(join("bob", "edge-b", 5, "b1"));                          // seq 2
        pipe(send("alice", "edge-a", 0, "a1", null, "one", null));     // seq 3
        pipe(send("alice", "edge-a", 0, "a1", null, "two", null));     // seq 4

        Out out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(3)));
        assertThat(out.events).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(5);
            assertThat(e.value().userId()).isEqualTo("bob");
            assertThat(e.value().body()).isEqualTo(new RoomEvent.ReadPosition(3));
        });
        assertReply(out.deliveries.get(0), "edge-b", 5, "b1", new Protocol.ReadAck(ROOM, 3));
        assertToRoom(out.deliveries.get(1), "edge-a", 0, 5, Protocol.MESSAGES_READ, new Protocol.MessagesRead("bob", List.of(), ROOM, 3, 5));
        assertToRoom(out.deliveries.get(2), "edge-b", 5, 5, Protocol.MESSAGES_READ, new Protocol.MessagesRead("bob", List.of(), ROOM, 3, 5));

        // Lower or equal: acknowledged with the current position, nothing else, no error.
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(2)));
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).singleElement().satisfies(d -> assertReply(d, "edge-b", 5, "b1", new Protocol.ReadAck(ROOM, 3)));
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(3)));
        assertThat(out.events).isEmpty();

        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(4)));
        assertThat(out.events).singleElement().satisfies(e -> assertThat(e.value().body()).isEqualTo(new RoomEvent.ReadPosition(4)));

        // Past the room's last event, not positive, or not a member: refused with a code.
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(99)));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.INVALID_MESSAGE));
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(0)));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.INVALID_MESSAGE));
        out = pipe(command("mallory", "edge-b", 5, "m1", ROOM, new RoomCommand.MarkRead(1)));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "m1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(events.readRecordsToList()).isEmpty();
    }

    @Test
    void aReplayedMarkReadReEmitsTheSameEvent() {
        pipe(join("bob", "edge-b", 5, "b1"));
        pipe(send("bob", "edge-b", 5, "b1", null, "one", null));
        RoomCommand read = command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(2));
        Out first = pipe(read);
        Out again = pipe(read);
        assertThat(again.events).hasSize(1);
        assertThat(again.events.get(0).value()).isEqualTo(first.events.get(0).value());
    }

    @Test
    void markReadByMessageIdsMovesToTheHighestKnownIdAndTellsTheRoomWhichIds() {
        pipe(join("alice", "edge-a", 0, "a1"));                                // seq 1
        pipe(join("bob", "edge-b", 5, "b1"));                                  // seq 2
        RoomCommand one = send("alice", "edge-a", 0, "a1", null, "one", null);  // seq 3
        RoomCommand two = send("alice", "edge-a", 0, "a1", null, "two", null);  // seq 4
        pipe(one);
        pipe(two);

        // Known ids in any order, plus one the room does not know (left out): up to the highest, seq 4.
        RoomCommand read = command("bob", "edge-b", 5, "b1", ROOM,
                RoomCommand.MarkRead.ids(List.of(two.eventId(), "not-a-message", one.eventId())));
        Out out = pipe(read);
        assertThat(out.events).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(5);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.ReadPosition(4));
        });
        assertThat(out.deliveries).hasSize(3);
        // The ack's data: read receipts, one per known id (seed 004 answers an array).
        assertReplyJson(out.deliveries.get(0), "edge-b", 5, "b1", List.of(
                new Protocol.ReadReceipt(two.eventId(), ROOM, "bob", 4), new Protocol.ReadReceipt(one.eventId(), ROOM, "bob", 4)));
        Protocol.MessagesRead messagesRead = new Protocol.MessagesRead("bob", List.of(two.eventId(), one.eventId()), ROOM, 4, 5);
        assertToRoom(out.deliveries.get(1), "edge-a", 0, 5, Protocol.MESSAGES_READ, messagesRead);
        assertToRoom(out.deliveries.get(2), "edge-b", 5, 5, Protocol.MESSAGES_READ, messagesRead);

        // A replay of the same command re-emits the same records.
        Out replayed = pipe(read);
        assertThat(replayed.events.get(0).value()).isEqualTo(out.events.get(0).value());
        assertThat(replayed.deliveries).isEqualTo(out.deliveries);

        // An older id: acknowledged with the current position, nothing else.
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, RoomCommand.MarkRead.ids(List.of(one.eventId()))));
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).singleElement().satisfies(d -> assertReplyJson(d, "edge-b", 5, "b1",
                List.of(new Protocol.ReadReceipt(one.eventId(), ROOM, "bob", 4))));

        // No id known (never sent, or sent to another room): INVALID_MESSAGE; so are malformed ids and both forms at once.
        pipe(join("bob", "edge-b", 5, "b1", "other"));
        RoomCommand elsewhere = send("bob", "edge-b", 5, "b1", null, "elsewhere", null, "other");
        pipe(elsewhere);
        for (RoomCommand.MarkRead bad : List.of(RoomCommand.MarkRead.ids(List.of("nope")),
                RoomCommand.MarkRead.ids(List.of(elsewhere.eventId())),
                RoomCommand.MarkRead.ids(List.of("has space")),
                new RoomCommand.MarkRead(3L, List.of(one.eventId())),
                new RoomCommand.MarkRead(null, List.of()))) {
            out = pipe(command("bob", "edge-b", 5, "b1", ROOM, bad));
            assertThat(out.events).as(bad.toString()).isEmpty();
            assertThat(out.deliveries).as(bad.toString()).singleElement()
                    .satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.INVALID_MESSAGE));
        }
        // Not a member: AUTHORIZATION_FAILED.
        out = pipe(command("mallory", "edge-b", 5, "m1", ROOM, RoomCommand.MarkRead.ids(List.of(one.eventId()))));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "m1", ErrorCode.AUTHORIZATION_FAILED));
    }

    @Test
    void aMessageCostsTheRoomStateChangelogItsDecisionItsAckAndTheHead() {
        // Issue 10's per-message budget: decision (also the message index), clientMsgId ack, head last.
        String changelog = "room-test-" + Stores.ROOM_STATE + "-changelog";
        pipe(join("alice", "edge-a", 0, "a1"));
        var records = driver.createOutputTopic(changelog, new StringDeserializer(), new StringDeserializer());
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
    void theMessageIndexExpiresWithTheDecisions() {
        pipe(join("alice", "edge-a", 0, "a1"));
        RoomCommand hello = send("alice", "edge-a", 0, "a1", null, "hello", null);
        pipe(hello);
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        // The send's decision is the index (no entry of its own), found from the message id alone.
        assertThat(store.get(RoomKeys.message(ROOM, hello.eventId()))).isNull();
        assertThat(store.get(RoomKeys.doneOfMessage(hello.eventId()))).isInstanceOfSatisfying(RoomEntry.Done.class,
                done -> assertThat(done.decision().seq()).isEqualTo(2));

        driver.advanceWallClockTime(Stores.DECISION_RETENTION.plus(Stores.DECISION_EXPIRY_INTERVAL).plus(Duration.ofMinutes(1)));

        assertThat(store.get(RoomKeys.doneOfMessage(hello.eventId()))).isNull();
        Out out = pipe(command("alice", "edge-a", 0, "a1", ROOM, RoomCommand.MarkRead.ids(List.of(hello.eventId()))));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_MESSAGE));
        // The seq form still works for old messages.
        out = pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.MarkRead(2)));
        assertThat(out.eventSeqs()).containsExactly(3L);
    }

    // --- seed 004's message object and user objects ------------------------------------------

    @Test
    void theSendersDisplayFieldsFromTheEdgeMakeTheUserObjects() {
        pipe(withDisplay(join("alice", "edge-a", 0, "a1"), "Alice A.", "https://img/alice.png"));
        Out out = pipe(withDisplay(join("bob", "edge-b", 5, "b1"), "Bob", null));
        Protocol.User bob = new Protocol.User("bob", "Bob", null);
        assertToRoom(out.deliveries.get(1), "edge-a", 0, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, bob, "bob", 2));
        assertThat(out.deliveries.get(1).value().body()).isInstanceOfSatisfying(Delivery.ToRoom.class, toRoom ->
                assertThat(toRoom.data().get("user").has("avatarUrl")).isTrue()); // null, but present, as the seed's server writes it

        RoomCommand image = withDisplay(command("alice", "edge-a", 0, "a1", ROOM,
                new RoomCommand.Send("c-9", "https://img/cat.png", "image", null)), "Alice A.", "https://img/alice.png");
        out = pipe(image);
        Protocol.User alice = new Protocol.User("alice", "Alice A.", "https://img/alice.png");
        Protocol.Message message = new Protocol.Message(image.eventId(), ROOM, "alice", "https://img/cat.png", "image",
                Protocol.isoTime(image.timestamp()), alice, 3, "c-9", null);
        assertToRoom(out.deliveries.get(0), "edge-a", 0, 3, Protocol.NEW_MESSAGE, message); // with alice's ack
        assertToRoom(out.deliveries.get(1), "edge-b", 5, 3, Protocol.NEW_MESSAGE, message);
        assertThat(out.events.get(0).value().body()).isEqualTo(new RoomEvent.MessageSent(image.eventId(), "c-9",
                "https://img/cat.png", "image", null, "Alice A.", "https://img/alice.png"));

        out = pipe(withDisplay(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.TypingStart()), "Alice A.", null));
        assertToRoom(out.deliveries.get(0), "edge-a", 0, 0, Protocol.USER_TYPING, new Protocol.Typing(ROOM, "alice", "Alice A."));
    }

    @Test
    void anUnknownMessageTypeIsRefused() {
        pipe(join("alice", "edge-a", 0, "a1"));
        Out out = pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.Send(null, "hi", "system", null)));
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_MESSAGE));
    }

    // --- typing indicators -------------------------------------------------------------------


    private void aliceAndBobOnTwoNodes() {
        pipe(join("alice", "edge-a", 0, "a1"));
        pipe(join("bob", "edge-b", 5, "b1"));
    }

    private RoomCommand typing(String user, String node, int slot, String connection, boolean start) {
        return command(user, node, slot, connection, ROOM, start ? new RoomCommand.TypingStart() : new RoomCommand.TypingStop());
    }

    private static void assertTyping(TestRecord<String, Delivery> record, String node, int slot, String event) {
        // user-typing {roomId, userId, username}; user-stopped-typing {roomId, userId} (seed 004)
        assertToRoom(record, node, slot, 0, event, Protocol.USER_TYPING.equals(event)
                ? new Protocol.Typing(ROOM, "alice", "alice") : new Protocol.Typing(ROOM, "alice"));
        assertThat(((Delivery.ToRoom) record.value().body()).excludeUserId()).isEqualTo("alice");
    }

    @Test
    void typingStartReachesEveryNodeWithoutTheTypistAndARefreshIsNotRebroadcast() {
        aliceAndBobOnTwoNodes();
        Out out = pipe(typing("alice", "edge-a", 0, "a1", true));
        assertThat(out.events).isEmpty(); // never in the room's history
        assertThat(out.deliveries).hasSize(3);
        assertTyping(out.deliveries.get(0), "edge-a", 0, Protocol.USER_TYPING);
        assertTyping(out.deliveries.get(1), "edge-b", 5, Protocol.USER_TYPING);
        assertThat(out.deliveries.get(2).value().body()).isInstanceOfSatisfying(Delivery.Reply.class, reply -> {
            assertThat(reply.ok()).isTrue();
            assertThat(reply.connectionId()).isEqualTo("a1");
        });

        out = pipe(typing("alice", "edge-a", 0, "a1", true)); // a refresh within the window: only the ack
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).singleElement().satisfies(d -> assertThat(d.value().body()).isInstanceOf(Delivery.Reply.class));

        out = pipe(typing("alice", "edge-a", 0, "a1", false));
        assertThat(out.events).isEmpty();
        assertThat(out.deliveries).hasSize(3);
        assertTyping(out.deliveries.get(0), "edge-a", 0, Protocol.USER_STOPPED_TYPING);
        assertTyping(out.deliveries.get(1), "edge-b", 5, Protocol.USER_STOPPED_TYPING);

        out = pipe(typing("alice", "edge-a", 0, "a1", false)); // not typing: nothing to tell anyone
        assertThat(out.toRoomNodes()).isEmpty();
    }

    @Test
    void aTypistWhoStopsRefreshingIsStoppedByTheWallClockAfterTheTimeout() {
        aliceAndBobOnTwoNodes();
        pipe(typing("alice", "edge-a", 0, "a1", true));
        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() / 2));
        pipe(typing("alice", "edge-a", 0, "a1", true)); // refreshed: the timeout counts from here
        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() - Stores.TYPING_EXPIRY_INTERVAL.toMillis()));
        assertThat(deliveries.readRecordsToList()).isEmpty();

        driver.advanceWallClockTime(Stores.TYPING_EXPIRY_INTERVAL.multipliedBy(2));
        List<TestRecord<String, Delivery>> stopped = deliveries.readRecordsToList();
        assertThat(stopped).hasSize(2);
        assertTyping(stopped.get(0), "edge-a", 0, Protocol.USER_STOPPED_TYPING);
        assertTyping(stopped.get(1), "edge-b", 5, Protocol.USER_STOPPED_TYPING);
        assertThat(events.readRecordsToList()).isEmpty();

        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() * 2));
        assertThat(deliveries.readRecordsToList()).isEmpty(); // stopped once
        Out out = pipe(typing("alice", "edge-a", 0, "a1", true)); // typing again is news again
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");
    }

    @Test
    void aMessageFromTheTypistStopsTypingRightAfterTheMessage() {
        aliceAndBobOnTwoNodes();
        pipe(typing("alice", "edge-a", 0, "a1", true));
        RoomCommand send = send("alice", "edge-a", 0, "a1", null, "hi", null);
        Out out = pipe(send);
        assertThat(out.events).hasSize(1);
        assertThat(out.deliveries).hasSize(4);
        assertThat(((Delivery.ToRoom) out.deliveries.get(0).value().body()).event()).isEqualTo(Protocol.NEW_MESSAGE);
        assertThat(((Delivery.ToRoom) out.deliveries.get(1).value().body()).event()).isEqualTo(Protocol.NEW_MESSAGE);
        assertTyping(out.deliveries.get(2), "edge-a", 0, Protocol.USER_STOPPED_TYPING);
        assertTyping(out.deliveries.get(3), "edge-b", 5, Protocol.USER_STOPPED_TYPING);

        out = pipe(send("alice", "edge-a", 0, "a1", null, "again", null)); // not typing: no stop
        assertThat(out.deliveries).hasSize(2);
    }

    @Test
    void disconnectingTheTypingConnectionStopsTypingButAnotherDeviceLeavingDoesNot() {
        aliceAndBobOnTwoNodes();
        pipe(join("alice", "edge-b", 5, "a2"));
        pipe(typing("alice", "edge-a", 0, "a1", true));
        Out out = pipe(leave("alice", "edge-b", 5, "a2", "disconnect"));
        assertThat(out.toRoomNodes()).isEmpty();

        out = pipe(leave("alice", "edge-a", 0, "a1", "disconnect")); // her last connection: left, and stopped
        List<TestRecord<String, Delivery>> stops = out.deliveries.stream()
                .filter(d -> d.value().body() instanceof Delivery.ToRoom t && t.event().equals(Protocol.USER_STOPPED_TYPING))
                .toList();
        assertThat(stops).singleElement().satisfies(d -> assertTyping(d, "edge-b", 5, Protocol.USER_STOPPED_TYPING));
        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() * 2));
        assertThat(deliveries.readRecordsToList()).isEmpty();
    }

    @Test
    void onlyMembersMayTypeAndABadRoomIsRefused() {
        aliceAndBobOnTwoNodes();
        Out out = pipe(typing("mallory", "edge-a", 0, "m1", true));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "m1", ErrorCode.AUTHORIZATION_FAILED));
        out = pipe(command("alice", "edge-a", 0, "a1", "bad|room", new RoomCommand.TypingStart()));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_ROOM));
        out = pipe(typing("mallory", "edge-a", 0, "m1", false));
        assertThat(out.deliveries).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "m1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(events.readRecordsToList()).isEmpty();
    }

    // --- helpers ----------------------------------------------------------------------------

    private final List<RoomEvent> seen = new java.util.ArrayList<>();

    /** The outputs of one command. */
    private record Out(List<TestRecord<String, RoomEvent>> events, List<TestRecord<String, Delivery>> deliveries) {
        List<Long> eventSeqs() {
            return events.stream().map(e -> e.value().seq()).toList();
        }

        List<String> toRoomNodes() {
            return deliveries.stream().filter(d -> d.value().body() instanceof Delivery.ToRoom)
                    .map(d -> d.value().edgeNodeId()).toList();
        }
    }

    private Out pipe(RoomCommand command) {
        commands.pipeInput(command.roomId(), command, command.timestamp());
        Out out = new Out(events.readRecordsToList(), deliveries.readRecordsToList());
        out.events.forEach(e -> seen.add(e.value()));
        return out;
    }

    private RoomCommand command(String user, String node, int slot, String connection, String room, RoomCommand.Body body) {
        int n = ids.incrementAndGet();
        clock += 7;
        return new RoomCommand(ulid(clock, n), room, user, node, slot, connection, "ref-" + n, clock, body);
    }

    /** An event id as the edge makes them: a ULID of the command's time ({@code n} in its random part). */
    static String ulid(long millis, long n) {
        String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--, millis >>>= 5) {
            out[i] = alphabet.charAt((int) (millis & 31));
        }
        for (int i = 25; i >= 10; i--, n >>>= 5) {
            out[i] = alphabet.charAt((int) (n & 31));
        }
        return new String(out);
    }

    private RoomCommand join(String user, String node, int slot, String connection) {
        return join(user, node, slot, connection, ROOM);
    }

    private RoomCommand join(String user, String node, int slot, String connection, String room) {
        return command(user, node, slot, connection, room, new RoomCommand.Join());
    }

    private RoomCommand leave(String user, String node, int slot, String connection, String reason) {
        return command(user, node, slot, connection, ROOM, new RoomCommand.Leave(reason));
    }

    private RoomCommand send(String user, String node, int slot, String connection, String clientMsgId, String text, String replyTo) {
        return send(user, node, slot, connection, clientMsgId, text, replyTo, ROOM);
    }

    private RoomCommand send(String user, String node, int slot, String connection, String clientMsgId, String text,
                             String replyTo, String room) {
        return command(user, node, slot, connection, room, new RoomCommand.Send(clientMsgId, text, replyTo));
    }

    private static void assertReply(TestRecord<String, Delivery> record, String node, int slot, String connection, Object data) {
        assertThat(record.key()).isEqualTo(node);
        assertThat(record.value().edgeNodeId()).isEqualTo(node);
        assertThat(record.value().edgeSlot()).isEqualTo(slot);
        assertThat(record.value().body()).isInstanceOfSatisfying(Delivery.Reply.class, reply -> {
            assertThat(reply.connectionId()).isEqualTo(connection);
            assertThat(reply.ref()).startsWith("ref-");
            assertThat(reply.ok()).isTrue();
            assertThat(as(reply.data(), data.getClass())).isEqualTo(data);
            assertThat(reply.error()).isNull();
        });
    }

    private static RoomCommand withDisplay(RoomCommand c, String username, String avatarUrl) {
        return new RoomCommand(c.eventId(), c.roomId(), c.userId(), c.edgeNodeId(), c.edgeSlot(), c.connectionId(), c.ref(),
                c.timestamp(), c.body(), username, avatarUrl);
    }

    /** A reply whose data is compared as JSON text (arrays of records). */
    private static void assertReplyJson(TestRecord<String, Delivery> record, String node, int slot, String connection, Object data) {
        assertThat(record.key()).isEqualTo(node);
        assertThat(record.value().edgeSlot()).isEqualTo(slot);
        assertThat(record.value().body()).isInstanceOfSatisfying(Delivery.Reply.class, reply -> {
            assertThat(reply.connectionId()).isEqualTo(connection);
            assertThat(reply.ok()).isTrue();
            assertThat(Json.write(reply.data())).isEqualTo(Json.write(data));
        });
    }

    private static void assertError(TestRecord<String, Delivery> record, String node, int slot, String connection, ErrorCode code) {
        assertThat(record.key()).isEqualTo(node);
        assertThat(record.value().edgeSlot()).isEqualTo(slot);
        assertThat(record.value().body()).isInstanceOfSatisfying(Delivery.Reply.class, reply -> {
            assertThat(reply.connectionId()).isEqualTo(connection);
            assertThat(reply.ok()).isFalse();
            assertThat(reply.error().code()).isEqualTo(code);
            assertThat(reply.error().message()).isNotBlank();
        });
    }

    private static void assertToRoom(TestRecord<String, Delivery> record, String node, int slot, long seq, String event, Object data) {
        assertThat(record.key()).isEqualTo(node);
        assertThat(record.value().edgeNodeId()).isEqualTo(node);
        assertThat(record.value().edgeSlot()).isEqualTo(slot);
        assertThat(record.value().body()).isInstanceOfSatisfying(Delivery.ToRoom.class, toRoom -> {
            assertThat(toRoom.roomId()).isEqualTo(ROOM);
            assertThat(toRoom.seq()).isEqualTo(seq);
            assertThat(toRoom.event()).isEqualTo(event);
            assertThat(as(toRoom.data(), data.getClass())).isEqualTo(data);
        });
    }

    /** The wire data read back as its record (JSON numbers compare by type as trees). */
    private static Object as(com.fasterxml.jackson.databind.JsonNode data, Class<?> type) {
        try {
            return Json.MAPPER.treeToValue(data, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not a " + type.getSimpleName() + ": " + data, e);
        }
    }

    private static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }
}
