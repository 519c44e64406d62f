/*
 * KafkaCensus owns the Kafka side of the per-message budget: for every topic of the cluster
 * (Parley's topics, the processors' changelogs and internal topics, Kafka's own offsets topic) the
 * records appended (end-offset deltas) and the bytes added to the log (log-dir size deltas) over a
 * phase. Divided by the messages acked in the phase, it says what one chat message costs in
 * records and bytes, topic by topic: counts, not timings, so they hold on a busy machine too.
 */
package io.parley.loadgen;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One census per load generator run; {@link #snapshot()} before and after a phase. */
public final class KafkaCensus implements AutoCloseable {
    /** Records and bytes of one topic at one moment (summed over its partitions). */
    public record Count(long records, long bytes) {}

    private final Admin admin;

    public KafkaCensus(String bootstrap) {
        Main.requireLoopback("tcp://" + bootstrap.split(",")[0].strip());
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "parley-loadgen-census"));
    }

    /** End offsets and log sizes of every topic, internal ones included. */
    public Map<String, Count> snapshot() {
        try {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
                    description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<String, Long> records = new HashMap<>();
            admin.listOffsets(request).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> records.merge(tp.topic(), info.offset(), Long::sum));
            Map<String, Long> bytes = new HashMap<>();
            var brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(n -> n.id()).toList();
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get(30, TimeUnit.SECONDS).values()) {
                for (LogDirDescription dir : dirs.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> e : dir.replicaInfos().entrySet()) {
                        bytes.merge(e.getKey().topic(), e.getValue().size(), Long::sum);
                    }
                }
            }
            Map<String, Count> out = new TreeMap<>();
            records.forEach((topic, n) -> out.put(topic, new Count(n, bytes.getOrDefault(topic, 0L))));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka census failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Per topic with any change: records and bytes per message ({@code messages} acked in the
     * phase), and the totals. Compaction or segment deletion during the phase can make a bytes
     * delta smaller than what was written; records are exact.
     */
    public static Map<String, Object> perMessage(Map<String, Count> before, Map<String, Count> after, long messages) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (messages <= 0) {
            return out;
        }
        double totalRecords = 0;
        double totalBytes = 0;
        Map<String, Object> topics = new LinkedHashMap<>();
        for (var e : after.entrySet()) {
            Count b = before.getOrDefault(e.getKey(), new Count(0, 0));
            long records = e.getValue().records() - b.records();
            long bytes = Math.max(0, e.getValue().bytes() - b.bytes());
            if (records <= 0) {
                continue;
            }
            topics.put(e.getKey(), Map.of("records", Report.round((double) records / messages, 3),
                    "bytes", Report.round((double) bytes / messages, 1)));
            totalRecords += (double) records / messages;
            totalBytes += (double) bytes / messages;
        }
        out.put("messages", messages);
        out.put("recordsPerMessage", Report.round(totalRecords, 3));
        out.put("bytesPerMessage", Report.round(totalBytes, 1));
        out.put("topics", topics);
        return out;
    }

    @Override
    public void close() {
        admin.close();
    }
}
