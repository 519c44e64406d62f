/*
 * LeaseTopologyTest owns the behavioural checks of the node-lease stage on the whole processors
 * topology in a TopologyTestDriver: leases judged by the log's ticks (a processors stall or backlog
 * expires nobody; a silent node expires one tick after its lease), ticks written back to
 * edge-nodes, a restart (new boot id) dropping only the earlier boot's connections at once, and a
 * node heard from after its expiry told so (Delivery.LeaseExpired) until it comes back with a new
 * boot. Record timestamps stand for the broker's LogAppendTime.
 */
package io.parley.processors.lease;

import io.parley.contracts.EventIds;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.LeaseTick;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.JsonSerde;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseTopologyTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final long LEASE = 3_000;
    private static final long TICK = 500;
    private static final String ROOM = "lobby";
    private static final ProcessorsConfig CONFIG = ProcessorsConfig.from(Map.of(
            "PARLEY_TOPIC_NAMESPACE", "test.", "PARLEY_PRESENCE_GRACE_MS", "60000",
            "PARLEY_LEASE_TICK_MS", Long.toString(TICK)));

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private long clock = T0;
    private TestInputTopic<String, RoomCommand> commands;
    private TestInputTopic<String, UserEvent> userEvents;
    private TestInputTopic<String, EdgeHeartbeat> heartbeats;
    private TestInputTopic<String, LeaseTick> ticksIn;
    private TestOutputTopic<String, Delivery> deliveries;
    private TestOutputTopic<String, RoomEvent> roomEvents;
    private TestOutputTopic<String, LeaseTick> ticksOut;

    @BeforeEach
    void start() {
        Properties props = Main.streamsProperties(CONFIG);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "lease-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(Main.topology(CONFIG), props, Instant.ofEpochMilli(T0));
        String edgeNodes = CONFIG.topic(Topic.EDGE_NODES);
        commands = driver.createInputTopic(CONFIG.topic(Topic.ROOM_COMMANDS), new StringSerializer(), Serdes.roomCommand());
        userEvents = driver.createInputTopic(CONFIG.topic(Topic.USER_EVENTS), new StringSerializer(), Serdes.userEvent());
        heartbeats = driver.createInputTopic(edgeNodes, new StringSerializer(), Serdes.edgeHeartbeat());
        JsonSerde<LeaseTick> tickSerde = new JsonSerde<>(LeaseTick.class);
        ticksIn = driver.createInputTopic(edgeNodes, new StringSerializer(), tickSerde);
        ticksOut = driver.createOutputTopic(edgeNodes, new StringDeserializer(), tickSerde);
        deliveries = driver.createOutputTopic(CONFIG.topic(Topic.DELIVERIES), new StringDeserializer(), Serdes.delivery());
        roomEvents = driver.createOutputTopic(CONFIG.topic(Topic.ROOM_EVENTS), new StringDeserializer(), Serdes.roomEvent());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void advance(long ms) {
        driver.advanceWallClockTime(Duration.ofMillis(ms));
        clock += ms;
    }

    private void beat(int edge, String boot, long appendedAt) {
        heartbeats.pipeInput("edge-" + edge, new EdgeHeartbeat("edge-" + edge, edge - 1, appendedAt, LEASE, 1, boot), appendedAt);
    }

    /** A connection: connect (presence) and join the room (room stage). */
    private void online(String user, String conn, int edge) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-" + edge, edge - 1, conn, clock, new UserEvent.Connected()), clock);
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, user, "edge-" + edge, edge - 1, conn, "r", clock,
                new RoomCommand.Join()), clock);
    }

    private List<String> left(List<Delivery> seen, int observerEdge) {
        return seen.stream()
                .filter(d -> d.edgeNodeId().equals("edge-" + observerEdge) && d.body() instanceof Delivery.ToRoom t
                        && t.event().equals(Protocol.USER_LEFT))
                .map(d -> ((Delivery.ToRoom) d.body()).data().path("userId").asText()).toList();
    }

    private List<Delivery.LeaseExpired> notices(List<Delivery> seen, int edge) {
        return seen.stream().filter(d -> d.edgeNodeId().equals("edge-" + edge) && d.edgeSlot() == edge - 1)
                .filter(d -> d.body() instanceof Delivery.LeaseExpired)
                .map(d -> (Delivery.LeaseExpired) d.body()).toList();
    }

    @Test
    void theStageWritesATickToEdgeNodesEveryTickPeriod() {
        advance(TICK);
        advance(TICK);
        List<LeaseTick> ticks = ticksOut.readValuesToList().stream().filter(t -> t.tickId() != null).toList();
        assertThat(ticks).hasSize(2);
        assertThat(ticks).extracting(LeaseTick::partition).containsOnly(0);
        assertThat(ticks.get(0).tickId()).isLessThan(ticks.get(1).tickId());
    }

    @Test
    void aSilentNodeExpiresOnTheFirstTickPastItsLeaseAndALiveOneNever() {
        String boot1 = EventIds.next();
        String boot2 = EventIds.next();
        beat(1, boot1, clock);
        beat(2, boot2, clock);
        online("alice", EventIds.next(), 1);
        online("bob", EventIds.next(), 2);
        deliveries.readValuesToList();
        for (int i = 0; i < (int) (LEASE / TICK); i++) { // up to and including the lease: nobody expires
            advance(TICK);
            beat(2, boot2, clock);
        }
        assertThat(left(deliveries.readValuesToList(), 2)).isEmpty();
        advance(TICK); // the first tick past edge-1's lease
        assertThat(left(deliveries.readValuesToList(), 2)).containsExactly("alice");
        for (int i = 0; i < 10; i++) {
            advance(TICK);
            beat(2, boot2, clock);
        }
        assertThat(left(deliveries.readValuesToList(), 2)).isEmpty(); // announced once; edge-2 lives on
    }

    @Test
    void aStallOfTheProcessorsLongerThanTheLeaseExpiresNobody() {
        String boot1 = EventIds.next();
        String boot2 = EventIds.next();
        beat(1, boot1, clock);
        beat(2, boot2, clock);
        online("alice", EventIds.next(), 1);
        online("bob", EventIds.next(), 2);
        deliveries.readValuesToList();
        // The processors stall (SIGSTOP, a long GC, a backlog) for 10 leases. The edges keep appending
        // heartbeats meanwhile; no tick is written while the stage does not run, so the first tick after
        // the stall sits behind all of them in the log.
        long stall = 10 * LEASE;
        for (long t = LEASE / 3; t <= stall; t += LEASE / 3) {
            beat(1, boot1, clock + t);
            beat(2, boot2, clock + t);
        }
        advance(stall);
        for (int i = 0; i < 4; i++) {
            advance(TICK);
        }
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(left(seen, 1)).isEmpty();
        assertThat(left(seen, 2)).isEmpty();
        assertThat(notices(seen, 1)).isEmpty();
    }

    @Test
    void anOutageOfTheLogLongerThanTheLeaseExpiresNobodyAndEveryNodeGetsAWholeLeaseAfterIt() {
        String boot1 = EventIds.next();
        String boot2 = EventIds.next();
        beat(1, boot1, clock);
        beat(2, boot2, clock);
        online("alice", EventIds.next(), 1);
        online("bob", EventIds.next(), 2);
        advance(TICK);
        deliveries.readValuesToList();
        // Kafka is down for three leases: nothing is appended, neither heartbeats nor ticks; the first
        // tick after it follows the previous one by far more than a tick period.
        advance(3 * LEASE);
        beat(2, boot2, clock); // edge-2 is heard again at once; edge-1 never
        for (int i = 0; i < (int) (LEASE / TICK); i++) { // a whole lease from the log's resumption: nobody
            advance(TICK);
            beat(2, boot2, clock);
        }
        assertThat(left(deliveries.readValuesToList(), 2)).isEmpty();
        advance(TICK); // past a lease since the log resumed: the silent edge-1 expires, edge-2 lives on
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(left(seen, 2)).containsExactly("alice");
        assertThat(left(seen, 1)).isEmpty();
    }

    @Test
    void aBacklogReadLateDecidesByLogTimeNotByWhenItIsRead() {
        String boot = EventIds.next();
        beat(1, boot, clock);
        beat(2, EventIds.next(), clock);
        online("alice", EventIds.next(), 1);
        online("bob", EventIds.next(), 2);
        deliveries.readValuesToList();
        // A log read 20 s late: heartbeats and ticks interleaved as they were appended; edge-1 beats
        // every second, so no tick is ever more than a lease past its last heartbeat.
        long base = clock - 20_000;
        for (long t = 0; t < 20_000; t += 1_000) {
            beat(1, boot, base + t);
            ticksIn.pipeInput(LeaseTick.KEY, new LeaseTick(EventIds.next(), 0, base + t + 500), base + t + 500);
        }
        assertThat(left(deliveries.readValuesToList(), 2)).isEmpty();
        // The same log where edge-1 went silent for 4 s in the middle: expired by the tick that shows it.
        base = clock;
        beat(1, boot, base);
        for (long t = 1_000; t <= 3_000; t += 1_000) { // ticks a second apart: the log keeps moving (no gap)
            ticksIn.pipeInput(LeaseTick.KEY, new LeaseTick(EventIds.next(), 0, base + t), base + t);
        }
        assertThat(left(deliveries.readValuesToList(), 2)).isEmpty();
        ticksIn.pipeInput(LeaseTick.KEY, new LeaseTick(EventIds.next(), 0, base + 4_000), base + 4_000);
        assertThat(left(deliveries.readValuesToList(), 2)).containsExactly("alice");
    }

    @Test
    void aTickReadAgainReannouncesTheSameExpiryWhichReemitsTheSameEventsOnly() {
        beat(1, EventIds.next(), clock);
        online("alice", EventIds.next(), 1);
        online("bob", EventIds.next(), 2);
        deliveries.readValuesToList();
        roomEvents.readValuesToList();
        String boot2 = EventIds.next();
        beat(2, boot2, clock + LEASE); // edge-2 lives on
        LeaseTick late = new LeaseTick(EventIds.next(), 0, clock + LEASE + 1);
        ticksIn.pipeInput(LeaseTick.KEY, late, clock + LEASE + 1);
        List<RoomEvent> first = roomEvents.readValuesToList();
        assertThat(first).singleElement().satisfies(e -> assertThat(e.body()).isInstanceOf(RoomEvent.MemberLeft.class));
        List<String> leftBefore = left(deliveries.readValuesToList(), 2);
        assertThat(leftBefore).containsExactly("alice");
        ticksIn.pipeInput(LeaseTick.KEY, late, clock + LEASE + 1); // a replay after a crash
        // The room stage remembered the expiry's leaves: the same event again (same id and seq,
        // consumers de-duplicate by seq), nothing new; the same for the edge.
        assertThat(roomEvents.readValuesToList()).containsExactlyElementsOf(first);
        assertThat(left(deliveries.readValuesToList(), 2)).isEqualTo(leftBefore);
    }

    @Test
    void aRestartWithANewBootIdDropsOnlyTheEarlierBootsConnectionsAtOnce() {
        String oldBoot = EventIds.next();
        beat(1, oldBoot, clock);
        beat(2, EventIds.next(), clock);
        online("bob", EventIds.next(), 2);     // the observer
        online("alice", EventIds.next(), 1);   // a socket of edge-1's old process
        deliveries.readValuesToList();
        String newBoot = EventIds.next();
        online("carol", EventIds.next(), 1);   // of the new process, seen before its first heartbeat is read
        beat(1, newBoot, clock + 10);          // well within the old lease
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(left(seen, 2)).containsExactly("alice");
        assertThat(notices(seen, 1)).isEmpty();
        // carol's connection is still a member: she can send.
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, "carol", "edge-1", 0,
                "unused", "s", clock, new RoomCommand.Send(null, "hi", null)), clock);
        for (int i = 0; i < 4; i++) {
            advance(TICK);
            beat(1, newBoot, clock);
            beat(2, null, clock);
        }
        assertThat(left(deliveries.readValuesToList(), 2)).isEmpty();
    }

    @Test
    void aNodeHeardFromAfterItsExpiryIsToldUntilItComesBackWithANewBoot() {
        String boot = EventIds.next();
        beat(1, boot, clock);
        beat(2, EventIds.next(), clock);
        online("alice", EventIds.next(), 1);
        online("bob", EventIds.next(), 2);
        deliveries.readValuesToList();
        for (int i = 0; i < 8; i++) {
            advance(TICK);
        }
        assertThat(left(deliveries.readValuesToList(), 2)).containsExactly("alice");
        beat(1, boot, clock);     // resumed (SIGCONT): same boot
        beat(1, boot, clock + 1);
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(notices(seen, 1)).extracting(Delivery.LeaseExpired::bootId).containsExactly(boot, boot);
        String next = EventIds.next(); // the node closed its sockets and started a new boot
        beat(1, next, clock + 2);
        beat(1, next, clock + 3);
        online("alice", EventIds.next(), 1); // reconnected
        for (int i = 0; i < 4; i++) {
            advance(TICK);
            beat(1, next, clock);
        }
        seen = deliveries.readValuesToList();
        assertThat(notices(seen, 1)).isEmpty();
        assertThat(left(seen, 2)).isEmpty();
    }
}
