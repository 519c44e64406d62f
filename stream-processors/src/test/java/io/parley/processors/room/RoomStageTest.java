/*
 * RoomStageTest owns the shared fixture of the room stage's TopologyTestDriver tests (one per
 * concern: MembershipStageTest, MessageStageTest, ReadStageTest, TypingStageTest, RoomAccessTopologyTest,
 * RoomLifecycleTopologyTest): the real
 * topology with the production streams settings, command builders and delivery assertions.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.event.UserEvent;
import io.parley.processors.lease.NodeExpired;
import io.parley.processors.presence.PresenceFanout;
import org.apache.kafka.streams.kstream.Consumed;
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

abstract class RoomStageTest {
    static final long T0 = 1_800_000_000_000L;
    static final String ROOM = "general";
    static final String FANOUT_TOPIC = "test-presence-fanout";
    /** Stands in for the node-lease stage's expiries. */
    static final String EXPIRY_TOPIC = "test-node-expiries";
    static final int DELIVERY_PARTITIONS = Topic.DELIVERIES.partitions();
    static final ProcessorsConfig CONFIG = ProcessorsConfig.from(Map.of(
            "PARLEY_TOPIC_NAMESPACE", "test.", "PARLEY_MAX_MESSAGE_LENGTH", "20"));

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    /** The room-state store under the real one, logging every read and write (CountingStore). */
    final CountingStore.Supplier storeSupplier = new CountingStore.Supplier(
            org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.ROOM_STATE));
    TestInputTopic<String, RoomCommand> commands;
    TestOutputTopic<String, RoomEvent> events;
    TestOutputTopic<String, Delivery> deliveries;
    /** Stands in for the presence stage's presence-fanout (subscribe requests, presence changes). */
    TestInputTopic<String, PresenceFanout> fanout;
    TestOutputTopic<String, UserEvent> userEvents;
    TestInputTopic<String, NodeExpired> expiries;
    final AtomicInteger ids = new AtomicInteger();
    long clock = T0;

    @BeforeEach
    void start() {
        open(Instant.ofEpochMilli(T0));
    }

    /** A restart of the room stage on the same state directory (its RocksDB store kept), the wall clock at {@code now}. */
    void restart(Instant now) {
        driver.close();
        open(now);
    }

    private void open(Instant now) {
        StreamsBuilder builder = new StreamsBuilder();
        new RoomTopology(CONFIG, storeSupplier).build(builder, builder.stream(FANOUT_TOPIC,
                Consumed.with(org.apache.kafka.common.serialization.Serdes.String(), PresenceFanout.serde())),
                builder.stream(EXPIRY_TOPIC, Consumed.with(org.apache.kafka.common.serialization.Serdes.String(), NodeExpired.serde())));
        Properties props = Main.streamsProperties(CONFIG); // the production settings (handlers, guarantee)
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "room-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props, now);
        commands = driver.createInputTopic(CONFIG.topic(Topic.ROOM_COMMANDS), new StringSerializer(), Serdes.roomCommand());
        events = driver.createOutputTopic(CONFIG.topic(Topic.ROOM_EVENTS), new StringDeserializer(), Serdes.roomEvent());
        deliveries = driver.createOutputTopic(CONFIG.topic(Topic.DELIVERIES), new StringDeserializer(), Serdes.delivery());
        fanout = driver.createInputTopic(FANOUT_TOPIC, new StringSerializer(), PresenceFanout.serde().serializer());
        expiries = driver.createInputTopic(EXPIRY_TOPIC, new StringSerializer(), NodeExpired.serde().serializer());
        userEvents = driver.createOutputTopic(CONFIG.topic(Topic.USER_EVENTS), new StringDeserializer(), Serdes.userEvent());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // --- refusals ---------------------------------------------------------------------------

    // --- idempotency ------------------------------------------------------------------------

    // --- seed 004's message object and user objects ------------------------------------------

    // --- helpers ----------------------------------------------------------------------------

    final List<RoomEvent> seen = new java.util.ArrayList<>();

    /** The outputs of one command. */
    record Out(List<TestRecord<String, RoomEvent>> events, List<TestRecord<String, Delivery>> deliveries) {
        List<Long> eventSeqs() {
            return events.stream().map(e -> e.value().seq()).toList();
        }

        List<String> toRoomNodes() {
            return deliveries.stream().filter(d -> d.value().body() instanceof Delivery.ToRoom)
                    .map(d -> d.value().edgeNodeId()).toList();
        }
    }

    Out pipe(RoomCommand command) {
        commands.pipeInput(command.roomId(), command, command.timestamp());
        Out out = new Out(events.readRecordsToList(), deliveries.readRecordsToList());
        out.events.forEach(e -> seen.add(e.value()));
        return out;
    }

    RoomCommand command(String user, String node, int slot, String connection, String room, RoomCommand.Body body) {
        int n = ids.incrementAndGet();
        clock += 7;
        return new RoomCommand(ulid(clock, n), room, user, node, slot, connection, "ref-" + n, clock, body);
    }

    /** A command from a connection on edge node {@code edge-1}, slot 0. */
    RoomCommand command(String user, String connection, String room, RoomCommand.Body body) {
        return command(user, "edge-1", 0, connection, room, body);
    }

    /** The one reply among the outputs. */
    static Delivery.Reply onlyReply(Out out) {
        List<Delivery.Reply> replies = new java.util.ArrayList<>();
        out.deliveries.forEach(d -> {
            if (d.value().body() instanceof Delivery.Reply reply) {
                replies.add(reply);
            }
        });
        assertThat(replies).hasSize(1);
        return replies.getFirst();
    }

    KeyValueStore<String, RoomEntry> store() {
        return driver.getKeyValueStore(Stores.ROOM_STATE);
    }

    /** The room's last sequence number (0 before its first event). */
    long head(String room) {
        return store().get(RoomKeys.head(room)) instanceof RoomEntry.Head head ? head.seq() : 0;
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

    RoomCommand join(String user, String node, int slot, String connection) {
        return join(user, node, slot, connection, ROOM);
    }

    RoomCommand join(String user, String node, int slot, String connection, String room) {
        return command(user, node, slot, connection, room, new RoomCommand.Join());
    }

    RoomCommand leave(String user, String node, int slot, String connection, String reason) {
        return command(user, node, slot, connection, ROOM, new RoomCommand.Leave(reason));
    }

    RoomCommand send(String user, String node, int slot, String connection, String clientMsgId, String text, String replyTo) {
        return send(user, node, slot, connection, clientMsgId, text, replyTo, ROOM);
    }

    RoomCommand send(String user, String node, int slot, String connection, String clientMsgId, String text,
                             String replyTo, String room) {
        return command(user, node, slot, connection, room, new RoomCommand.Send(clientMsgId, text, replyTo));
    }

    static void assertReply(TestRecord<String, Delivery> record, String node, int slot, String connection, Object data) {
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

    static RoomCommand withDisplay(RoomCommand c, String username, String avatarUrl) {
        return new RoomCommand(c.eventId(), c.roomId(), c.userId(), c.edgeNodeId(), c.edgeSlot(), c.connectionId(), c.ref(),
                c.timestamp(), c.body(), username, avatarUrl);
    }

    /** A reply whose data is compared as JSON text (arrays of records). */
    static void assertReplyJson(TestRecord<String, Delivery> record, String node, int slot, String connection, Object data) {
        assertThat(record.key()).isEqualTo(node);
        assertThat(record.value().edgeSlot()).isEqualTo(slot);
        assertThat(record.value().body()).isInstanceOfSatisfying(Delivery.Reply.class, reply -> {
            assertThat(reply.connectionId()).isEqualTo(connection);
            assertThat(reply.ok()).isTrue();
            assertThat(Json.write(reply.data())).isEqualTo(Json.write(data));
        });
    }

    static void assertError(TestRecord<String, Delivery> record, String node, int slot, String connection, ErrorCode code) {
        assertThat(record.key()).isEqualTo(node);
        assertThat(record.value().edgeSlot()).isEqualTo(slot);
        assertThat(record.value().body()).isInstanceOfSatisfying(Delivery.Reply.class, reply -> {
            assertThat(reply.connectionId()).isEqualTo(connection);
            assertThat(reply.ok()).isFalse();
            assertThat(reply.error().code()).isEqualTo(code);
            assertThat(reply.error().message()).isNotBlank();
        });
    }

    static void assertToRoom(TestRecord<String, Delivery> record, String node, int slot, long seq, String event, Object data) {
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
    static Object as(com.fasterxml.jackson.databind.JsonNode data, Class<?> type) {
        try {
            return Json.MAPPER.treeToValue(data, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not a " + type.getSimpleName() + ": " + data, e);
        }
    }

    static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }
}
