/*
 * RateLimitTopologyTest owns the behavioural checks of the rate-limit stage on the real topology
 * in a TopologyTestDriver, with event timestamps as the only clock: the bucket spans a user's
 * devices on several edge nodes, a decision goes once to each node holding the user's sockets,
 * is not repeated nor extended while in force (except to a node that joins), and lapses after
 * the refill; an attempt of N sends (an edge's aggregate) takes N tokens, and sends let through
 * beyond the bucket are owed (the next decision lasts until they are paid).
 */
package io.parley.processors.ratelimit;

import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Serdes;
import io.parley.processors.Main;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.SlotPartitioner;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitTopologyTest {
    private static final long T0 = 1_800_000_000_000L;
    // Burst 3, one token per second.
    private static final ProcessorsConfig CONFIG = ProcessorsConfig.from(Map.of(
            "PARLEY_TOPIC_NAMESPACE", "test.", "PARLEY_RATE_BURST", "3", "PARLEY_MAX_MESSAGES_PER_MINUTE", "60"));

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, UserEvent> userEvents;
    private TestOutputTopic<String, Delivery> deliveries;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void start() {
        StreamsBuilder builder = new StreamsBuilder();
        new RateLimitTopology(CONFIG).build(builder);
        Properties props = Main.streamsProperties(CONFIG); // the production settings (handlers, guarantee)
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ratelimit-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props);
        userEvents = driver.createInputTopic(CONFIG.topic(Topic.USER_EVENTS), new StringSerializer(), Serdes.userEvent());
        deliveries = driver.createOutputTopic(CONFIG.topic(Topic.DELIVERIES), new StringDeserializer(), Serdes.delivery());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void theLimitSpansDevicesOnTwoNodesHitsAfterTheBurstAndLapsesOnceWhatWasLetThroughIsPaid() {
        assertThat(pipe(connected("alice", "edge-a", 0, "a1", T0))).isEmpty();
        assertThat(pipe(connected("alice", "edge-b", 5, "a2", T0))).isEmpty();

        // The burst, spread over both devices.
        assertThat(pipe(attempt("alice", "edge-a", 0, "a1", T0))).isEmpty();
        assertThat(pipe(attempt("alice", "edge-b", 5, "a2", T0 + 10))).isEmpty();
        assertThat(pipe(attempt("alice", "edge-a", 0, "a1", T0 + 20))).isEmpty();

        // The fourth: the bucket cannot cover it. The send was let through, so it is charged: the
        // bucket owes most of a token and holds a whole one again two seconds after the first was taken.
        List<TestRecord<String, Delivery>> decision = pipe(attempt("alice", "edge-b", 5, "a2", T0 + 30));
        assertRateLimits(decision, "alice", T0 + 2000, Map.of("edge-a", 0, "edge-b", 5));

        // A send that overshoots while the decision travels: charged too, the decision neither sent again nor extended.
        assertThat(pipe(attempt("alice", "edge-a", 0, "a1", T0 + 40))).isEmpty();

        // Another user is not affected.
        assertThat(pipe(connected("bob", "edge-a", 0, "b1", T0))).isEmpty();
        assertThat(pipe(attempt("bob", "edge-a", 0, "b1", T0 + 50))).isEmpty();

        // A third device on a new node while the decision is in force: that node alone is told.
        assertRateLimits(pipe(connected("alice", "edge-c", 9, "a3", T0 + 60)), "alice", T0 + 2000, Map.of("edge-c", 9));

        // The decision lapses, but the bucket still owes the send of T0 + 40: the next send gets a new
        // decision, on all three nodes, until that is paid and a whole token is back.
        assertRateLimits(pipe(attempt("alice", "edge-a", 0, "a1", T0 + 2000)), "alice", T0 + 4000,
                Map.of("edge-a", 0, "edge-b", 5, "edge-c", 9));

        // edge-b loses alice's socket: later decisions skip it. The token is back at T0 + 4000, one only.
        assertThat(pipe(disconnected("alice", "edge-b", 5, "a2", T0 + 2500))).isEmpty();
        assertThat(pipe(attempt("alice", "edge-a", 0, "a1", T0 + 4000))).isEmpty();
        assertRateLimits(pipe(attempt("alice", "edge-a", 0, "a1", T0 + 4001)), "alice", T0 + 6000,
                Map.of("edge-a", 0, "edge-c", 9));

        // After a quiet minute the whole burst is back, and no more than the burst.
        long later = T0 + 60_000;
        for (int i = 0; i < 3; i++) {
            assertThat(pipe(attempt("alice", "edge-a", 0, "a1", later + i))).isEmpty();
        }
        assertRateLimits(pipe(attempt("alice", "edge-a", 0, "a1", later + 3)), "alice", later + 2000,
                Map.of("edge-a", 0, "edge-c", 9));
    }

    @Test
    void aNodeThatComesBackIsToldAgain() {
        pipe(connected("alice", "edge-a", 0, "a1", T0));
        for (int i = 0; i < 3; i++) {
            pipe(attempt("alice", "edge-a", 0, "a1", T0));
        }
        assertRateLimits(pipe(attempt("alice", "edge-a", 0, "a1", T0)), "alice", T0 + 2000, Map.of("edge-a", 0));
        pipe(disconnected("alice", "edge-a", 0, "a1", T0 + 100));
        assertRateLimits(pipe(connected("alice", "edge-a", 0, "a4", T0 + 200)), "alice", T0 + 2000, Map.of("edge-a", 0));
        // Reconnecting does not refill the bucket: one token is back when the decision lapses, no more.
        assertThat(pipe(attempt("alice", "edge-a", 0, "a4", T0 + 2000))).isEmpty();
        assertRateLimits(pipe(attempt("alice", "edge-a", 0, "a4", T0 + 2001)), "alice", T0 + 4000, Map.of("edge-a", 0));
    }

    @Test
    void anAttemptOfNSendsTakesNTokensAndWhatTheBucketCannotCoverIsOwed() {
        pipe(connected("alice", "edge-a", 0, "a1", T0));
        pipe(connected("alice", "edge-b", 5, "a2", T0));
        // Two of the three tokens in one aggregate: one is left, the next single send takes it.
        assertThat(pipe(attempt("alice", "edge-a", 0, "a1", T0, 2))).isEmpty();
        assertThat(pipe(attempt("alice", "edge-b", 5, "a2", T0))).isEmpty();
        // Empty: the next send is refused on both nodes (and owed: a whole token is back in two seconds).
        assertRateLimits(pipe(attempt("alice", "edge-a", 0, "a1", T0)), "alice", T0 + 2000,
                Map.of("edge-a", 0, "edge-b", 5));

        // Sends two nodes let through beyond the bucket (each node's own bucket admitted them): after a
        // quiet minute the bucket is full (3), an aggregate of 5 owes 2, so a whole token is back in 3 s.
        long later = T0 + 60_000;
        assertRateLimits(pipe(attempt("alice", "edge-b", 5, "a2", later, 5)), "alice", later + 3000,
                Map.of("edge-a", 0, "edge-b", 5));
        // That token is there at the decision's end, and only that one.
        assertThat(pipe(attempt("alice", "edge-a", 0, "a1", later + 3000))).isEmpty();
        assertRateLimits(pipe(attempt("alice", "edge-a", 0, "a1", later + 3001)), "alice", later + 5000,
                Map.of("edge-a", 0, "edge-b", 5));
    }

    @Test
    void anAttemptOfBeforeTheCountTakesOneToken() {
        pipe(connected("bob", "edge-a", 0, "b1", T0));
        for (int i = 0; i < 3; i++) {
            assertThat(pipe(attempt("bob", "edge-a", 0, "b1", T0, 0))).isEmpty();
        }
        assertRateLimits(pipe(attempt("bob", "edge-a", 0, "b1", T0, 0)), "bob", T0 + 2000, Map.of("edge-a", 0));
    }

    @Test
    void anAttemptFromANodeNotYetSeenConnectedStillReachesThatNode() {
        for (int i = 0; i < 3; i++) {
            assertThat(pipe(attempt("carol", "edge-z", 7, "c1", T0))).isEmpty();
        }
        assertRateLimits(pipe(attempt("carol", "edge-z", 7, "c1", T0)), "carol", T0 + 2000, Map.of("edge-z", 7));
    }

    @Test
    void decisionsArePartitionedByTheNodesSlot() {
        pipe(connected("alice", "edge-a", 3, "a1", T0));
        pipe(connected("alice", "edge-b", 21, "a2", T0));
        for (int i = 0; i < 3; i++) {
            pipe(attempt("alice", "edge-a", 3, "a1", T0));
        }
        List<TestRecord<String, Delivery>> decision = pipe(attempt("alice", "edge-a", 3, "a1", T0));
        SlotPartitioner partitioner = new SlotPartitioner();
        assertThat(decision.stream().map(d -> partitioner.partitions(CONFIG.topic(Topic.DELIVERIES), d.key(), d.value(),
                Topic.DELIVERIES.partitions()).orElseThrow()).toList()).containsExactly(Set.of(3), Set.of(5));
    }

    // --- helpers ----------------------------------------------------------------------------

    private List<TestRecord<String, Delivery>> pipe(UserEvent event) {
        userEvents.pipeInput(event.userId(), event, event.timestamp());
        return deliveries.readRecordsToList();
    }

    private static void assertRateLimits(List<TestRecord<String, Delivery>> records, String user, long blockedUntil,
                                         Map<String, Integer> slotsByNode) {
        assertThat(records).hasSize(slotsByNode.size());
        assertThat(records.stream().map(TestRecord::key).toList())
                .containsExactlyElementsOf(slotsByNode.keySet().stream().sorted().toList());
        for (TestRecord<String, Delivery> record : records) {
            assertThat(record.value()).isEqualTo(new Delivery(record.key(), slotsByNode.get(record.key()),
                    new Delivery.RateLimit(user, blockedUntil)));
        }
    }

    private UserEvent event(String user, String node, int slot, String connection, long timestamp, UserEvent.Body body) {
        return new UserEvent("u-" + ids.incrementAndGet(), user, node, slot, connection, timestamp, body);
    }

    private UserEvent connected(String user, String node, int slot, String connection, long timestamp) {
        return event(user, node, slot, connection, timestamp, new UserEvent.Connected());
    }

    private UserEvent disconnected(String user, String node, int slot, String connection, long timestamp) {
        return event(user, node, slot, connection, timestamp, new UserEvent.Disconnected("closed"));
    }

    private UserEvent attempt(String user, String node, int slot, String connection, long timestamp) {
        return event(user, node, slot, connection, timestamp, new UserEvent.MessageAttempt("general"));
    }

    /** An aggregate of {@code count} sends (0: a record written before the count existed). */
    private UserEvent attempt(String user, String node, int slot, String connection, long timestamp, int count) {
        return event(user, node, slot, connection, timestamp, new UserEvent.MessageAttempt("general", count));
    }
}
