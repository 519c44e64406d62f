/*
 * NodeExpiryCrashIT owns the end-to-end proof that node expiry is crash-safe (issue 13): the
 * processors process really dies (Runtime.halt, armed by the PARLEY_TEST_CRASH_POINT test hook,
 * see stream-processors' CrashPoints) between the two writes of an expiry (the state writes of
 * its first synthetic leave are in the changelog, its outputs are not; or the lease stage's stored
 * restart decision, its NodeExpired not yet forwarded), is restarted without the hook, and then
 * every leave event of the expired connections is in room-events exactly once (by seq; a replay
 * may repeat a record with the same seq and id, never a new one), with no seq gap, and a member
 * on the other edge node receives each user-left exactly once. A cluster of its own.
 */
package io.parley.e2e;

import io.parley.contracts.Topic;
import io.parley.contracts.event.RoomEvent;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class NodeExpiryCrashIT {
    private static final List<String> ROOMS = List.of("crash-a", "crash-b");
    private static final List<String> VICTIMS = List.of("v1", "v2", "v3");

    /** Lease expiry of a killed edge node; the crash falls after the first synthetic leave's state writes. */
    @Test
    void aCrashBetweenALeavesWritesAndItsOutputsLosesNoLeave(TestStack stack) throws Exception {
        try (ParleyCluster cluster = ParleyCluster.isolated(stack)) {
            WsClient watcher = setUp(cluster);
            cluster.services.restartProcessors(Map.of("PARLEY_TEST_CRASH_POINT", "room-expiry-leave-written"));
            cluster.services.killEdge(1); // SIGKILL: its lease expires, its connections leave
            crashAndRestart(cluster, "room-expiry-leave-written");
            assertEveryLeaveExactlyOnce(cluster, stack, watcher);
        }
    }

    /** A restarted edge node (new boot id); the crash falls after the lease stage stored the restart. */
    @Test
    void aCrashBetweenTheRestartDecisionAndItsNoticeLosesNoLeave(TestStack stack) throws Exception {
        // A lease far longer than the edge's restart: the restart (new boot id), not the lease, drops its connections.
        try (ParleyCluster cluster = ParleyCluster.isolated(stack, Map.of("PARLEY_EDGE_LEASE_MS", "120000"))) {
            WsClient watcher = setUp(cluster);
            cluster.services.restartProcessors(Map.of("PARLEY_TEST_CRASH_POINT", "lease-restart-stored"));
            cluster.services.killEdge(1);
            cluster.services.restartEdge(1); // same node id, new boot id, well within the lease
            crashAndRestart(cluster, "lease-restart-stored");
            assertEveryLeaveExactlyOnce(cluster, stack, watcher);
        }
    }

    /** A watcher on edge 1 and three victims on edge 2, everyone in both rooms. */
    private static WsClient setUp(ParleyCluster cluster) {
        WsClient watcher = cluster.connect("watcher", 1);
        for (String room : ROOMS) {
            assertOk(watcher.request("join-room", data("roomId", room)));
        }
        for (String victim : VICTIMS) {
            WsClient client = cluster.connect(victim, 2);
            for (String room : ROOMS) {
                assertOk(client.request("join-room", data("roomId", room)));
            }
        }
        await().atMost(WsClient.PATIENCE).until(() -> watcher.receivedCount("user-joined") == ROOMS.size() * VICTIMS.size());
        return watcher;
    }

    /** Waits until the processors died at {@code point}, then starts them again without the hook. */
    private static void crashAndRestart(ParleyCluster cluster, String point) throws Exception {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> !cluster.services.processors().isAlive());
        assertThat(Files.readString(cluster.services.processors().logFile())).contains("crash point " + point + " reached");
        cluster.services.restartProcessors(Map.of());
    }

    private static void assertEveryLeaveExactlyOnce(ParleyCluster cluster, TestStack stack, WsClient watcher) {
        Map<String, Map<Long, List<RoomEvent>>> bySeq = new HashMap<>();
        String topic = Topic.ROOM_EVENTS.nameIn(cluster.topicNamespace);
        try (KafkaConsumer<String, RoomEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), io.parley.contracts.json.Serdes.roomEvent().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, RoomEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    RoomEvent event = record.value();
                    if (ROOMS.contains(event.roomId())) {
                        bySeq.computeIfAbsent(event.roomId(), r -> new TreeMap<>())
                                .computeIfAbsent(event.seq(), s -> new ArrayList<>()).add(event);
                    }
                }
                return ROOMS.stream().allMatch(room -> leaves(bySeq.get(room)).size() >= VICTIMS.size());
            });
        }
        for (String room : ROOMS) {
            Map<Long, List<RoomEvent>> events = bySeq.get(room);
            // No gap: seqs 1..n, and a seq read more than once is the same event (a replay), never another.
            assertThat(events.keySet()).as(room + " seqs").containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
            events.forEach((seq, copies) -> assertThat(copies.stream().map(RoomEvent::eventId).distinct().count())
                    .as(room + " seq " + seq + " events").isEqualTo(1));
            assertThat(leaves(events)).as(room + " leaves, one per victim").containsExactlyInAnyOrderElementsOf(VICTIMS);
        }
        await().atMost(WsClient.PATIENCE).until(() -> watcher.receivedCount("user-left") >= ROOMS.size() * VICTIMS.size());
        assertThat(watcher.receivedCount("user-left")).as("user-left at the watcher").isEqualTo(ROOMS.size() * VICTIMS.size());
    }

    /** The users of the distinct leave events of a room. */
    private static List<String> leaves(Map<Long, List<RoomEvent>> events) {
        if (events == null) {
            return List.of();
        }
        return events.values().stream().map(List::getFirst)
                .filter(e -> e.body() instanceof RoomEvent.MemberLeft).map(RoomEvent::userId).toList();
    }
}
