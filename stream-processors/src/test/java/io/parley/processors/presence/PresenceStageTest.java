/*
 * PresenceStageTest owns the shared fixture of the presence stage's TopologyTestDriver tests
 * (PresenceTopologyTest, PresenceMembershipTopologyTest): the whole processors topology with a
 * mocked wall clock, a user's connection (connect, join, close), presence settings, heartbeats and
 * the delivery filters the tests assert on.
 */
package io.parley.processors.presence;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.EventIds;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.event.UserPresence;
import io.parley.contracts.json.Serdes;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.Main;
import io.parley.processors.ProcessorsConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

abstract class PresenceStageTest {
    static final long T0 = 1_800_000_000_000L;
    static final long GRACE = 5_000;
    static final long IDLE = 60_000;
    static final long LEASE = 3_000;
    static final String ROOM = "lobby";
    static final ProcessorsConfig CONFIG = ProcessorsConfig.from(Map.of(
            "PARLEY_TOPIC_NAMESPACE", "test.", "PARLEY_PRESENCE_GRACE_MS", Long.toString(GRACE),
            "PARLEY_PRESENCE_IDLE_MS", Long.toString(IDLE), "PARLEY_PRESENCE_TICK_MS", "100"));

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    long clock = T0; // the driver's wall clock: heartbeats are stamped with it (as the broker's append time would)
    TestInputTopic<String, RoomCommand> commands;
    TestInputTopic<String, UserEvent> userEvents;
    TestInputTopic<String, EdgeHeartbeat> heartbeats;
    TestOutputTopic<String, Delivery> deliveries;
    TestOutputTopic<String, UserPresence> presence;

    @BeforeEach
    void start() {
        Properties props = Main.streamsProperties(CONFIG);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "presence-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(Main.topology(CONFIG), props, Instant.ofEpochMilli(T0));
        commands = driver.createInputTopic(CONFIG.topic(Topic.ROOM_COMMANDS), new StringSerializer(), Serdes.roomCommand());
        userEvents = driver.createInputTopic(CONFIG.topic(Topic.USER_EVENTS), new StringSerializer(), Serdes.userEvent());
        heartbeats = driver.createInputTopic(CONFIG.topic(Topic.EDGE_NODES), new StringSerializer(), Serdes.edgeHeartbeat());
        deliveries = driver.createOutputTopic(CONFIG.topic(Topic.DELIVERIES), new StringDeserializer(), Serdes.delivery());
        presence = driver.createOutputTopic(CONFIG.topic(Topic.PRESENCE), new StringDeserializer(), Serdes.userPresence());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // --- a user's connection: connect (user-events), join (room-commands), close (leave + disconnect) ---

    void connect(String user, String conn, int edge) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-" + edge, edge - 1, conn, now(), new UserEvent.Connected()));
    }

    void join(String user, String conn, int edge) {
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, user, "edge-" + edge, edge - 1, conn, "r", now(), new RoomCommand.Join()));
    }

    void connectAs(String user, String conn, int edge, String username) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-" + edge, edge - 1, conn, now(),
                new UserEvent.Connected(username)));
    }

    void online(String user, String conn, int edge) {
        connect(user, conn, edge);
        join(user, conn, edge);
    }

    void close(String user, String conn, int edge) {
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, user, "edge-" + edge, edge - 1, conn, null, now(),
                new RoomCommand.Leave("disconnect")));
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-" + edge, edge - 1, conn, now(),
                new UserEvent.Disconnected("closed")));
    }

    void set(String user, String conn, String status, String custom) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-1", 0, conn, now(), new UserEvent.PresenceSet(status, custom)));
    }

    long now() {
        return T0; // the edge's timestamp; the processors time presence by their own wall clock
    }

    void advance(long ms) {
        driver.advanceWallClockTime(Duration.ofMillis(ms));
        clock += ms;
    }

    /** The presence-update data delivered to edge node {@code edge} since the last call, about {@code user}. */
    List<JsonNode> presenceUpdates(List<Delivery> all, int edge, String user) {
        List<JsonNode> out = new ArrayList<>();
        for (Delivery d : all) {
            if (d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.ToRoom t
                    && t.event().equals(Protocol.PRESENCE_UPDATE) && t.data().path("userId").asText().equals(user)) {
                assertThat(t.seq()).isZero();
                assertThat(d.edgeSlot()).isEqualTo(edge - 1);
                out.add(t.data());
            }
        }
        return out;
    }

    List<JsonNode> events(List<Delivery> all, int edge, String event, String user) {
        List<JsonNode> out = new ArrayList<>();
        for (Delivery d : all) {
            if (d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.ToRoom t
                    && t.event().equals(event) && t.data().path("userId").asText().equals(user)) {
                out.add(t.data());
            }
        }
        return out;
    }

    List<String> statuses(String user) {
        return presence.readValuesToList().stream().filter(p -> p.userId().equals(user)).map(UserPresence::status).toList();
    }


    void beat(int edge) {
        heartbeats.pipeInput("edge-" + edge, new EdgeHeartbeat("edge-" + edge, edge - 1, now(), LEASE, 1), clock);
    }

    /** The Subscribe deliveries to {@code edge}. */
    List<Delivery> subscribes(List<Delivery> all, int edge) {
        return all.stream().filter(d -> d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.Subscribe).toList();
    }
}
