package io.parley.contracts;

import java.time.Duration;
import java.util.Map;

/**
 * The topic catalog: every Kafka topic Parley owns, with its key, partitions, retention and
 * cleanup policy. This is a public API for consumers outside Parley (see docs/topics.md).
 *
 * <p>A deployment names its topics inside a namespace (default {@value #DEFAULT_NAMESPACE}, set
 * by {@code PARLEY_TOPIC_NAMESPACE}); tests use a fresh namespace each so they never see each
 * other's records. Topic names carry their schema version ({@code .v1}).
 */
public enum Topic {
    /** Commands from edge nodes that act on a room; key: room id. Replayable for a week. */
    ROOM_COMMANDS("room-commands.v1", "roomId", 8, Duration.ofDays(7), CleanupPolicy.DELETE),
    /** The event-sourced room log, the source of truth for history; key: room id. Kept forever. */
    ROOM_EVENTS("room-events.v1", "roomId", 8, null, CleanupPolicy.DELETE),
    /** Socket and accounting events per user (connect, disconnect, presence); key: user id. */
    USER_EVENTS("user-events.v1", "userId", 8, Duration.ofDays(1), CleanupPolicy.DELETE),
    /** Results addressed to edge nodes; partition = the edge node's slot; key: edge node id. */
    DELIVERIES("deliveries.v1", "edgeNodeId", 16, Duration.ofHours(6), CleanupPolicy.DELETE),
    /**
     * Edge nodes' liveness heartbeats (leases) and the processors' lease ticks (key {@code #tick});
     * key: edge node id. Timestamps are the broker's append time.
     */
    EDGE_NODES("edge-nodes.v1", "edgeNodeId", 1, Duration.ofDays(1), CleanupPolicy.DELETE),
    /** Each user's current presence (compacted: the latest record per user); key: user id. For analytics. */
    PRESENCE("presence.v1", "userId", 8, null, CleanupPolicy.COMPACT);

    public static final String DEFAULT_NAMESPACE = "parley.";

    private final String baseName;
    private final String key;
    private final int partitions;
    private final Duration retention;
    private final CleanupPolicy cleanupPolicy;

    Topic(String baseName, String key, int partitions, Duration retention, CleanupPolicy cleanupPolicy) {
        this.baseName = baseName;
        this.key = key;
        this.partitions = partitions;
        this.retention = retention;
        this.cleanupPolicy = cleanupPolicy;
    }

    /** The topic's name in the given namespace, e.g. {@code parley.room-events.v1}. */
    public String nameIn(String namespace) {
        return namespace + baseName;
    }

    public String baseName() { return baseName; }

    /** What the record key is (documentation for consumers). */
    public String key() { return key; }

    public int partitions() { return partitions; }

    /** Retention in milliseconds, -1 for "kept forever". */
    public long retentionMs() {
        return retention == null ? -1L : retention.toMillis();
    }

    public CleanupPolicy cleanupPolicy() { return cleanupPolicy; }

    /** The topic-level configuration to create the topic with. */
    public Map<String, String> configs() {
        if (this == EDGE_NODES) {
            // Leases are judged by append time: heartbeats and the processors' ticks on one clock (the broker's).
            return Map.of(
                    "retention.ms", Long.toString(retentionMs()),
                    "cleanup.policy", cleanupPolicy.kafkaName,
                    "message.timestamp.type", "LogAppendTime");
        }
        return Map.of(
                "retention.ms", Long.toString(retentionMs()),
                "cleanup.policy", cleanupPolicy.kafkaName);
    }

    public enum CleanupPolicy {
        DELETE("delete"), COMPACT("compact");

        public final String kafkaName;

        CleanupPolicy(String kafkaName) { this.kafkaName = kafkaName; }
    }
}
