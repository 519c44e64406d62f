// Owns the history store's settings: every one an environment variable, with its default.
package io.parley.history;

import io.parley.contracts.Topic;
import io.parley.contracts.auth.AuthConfig;
import io.parley.history.cql.Buckets;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The history store's configuration, from environment variables:
 * <ul>
 *   <li>{@code PARLEY_KAFKA_BOOTSTRAP} (default {@code 127.0.0.1:19092})</li>
 *   <li>{@code PARLEY_TOPIC_NAMESPACE} (default {@value Topic#DEFAULT_NAMESPACE})</li>
 *   <li>{@code PARLEY_CASSANDRA_CONTACT_POINTS} {@code host:port,host:port} (default {@code 127.0.0.1:19042};
 *       a point without a port uses 9042)</li>
 *   <li>{@code PARLEY_CASSANDRA_LOCAL_DC} (default {@code datacenter1})</li>
 *   <li>{@code PARLEY_CASSANDRA_KEYSPACE} (default {@code parley})</li>
 *   <li>{@code PARLEY_HISTORY_GROUP_ID}, the writer's consumer group (default {@code parley-history}); a new
 *       group id replays room-events from the start</li>
 *   <li>{@code PARLEY_HISTORY_PORT} (default 8090; 0 = any free port) and {@code PARLEY_HISTORY_HOST}
 *       (default {@code 127.0.0.1}) of the HTTP API</li>
 *   <li>{@code PARLEY_HISTORY_FETCH_MAX_WAIT_MS} (default {@value #DEFAULT_FETCH_MAX_WAIT_MS}) and
 *       {@code PARLEY_HISTORY_FETCH_MIN_BYTES} (default {@value #DEFAULT_FETCH_MIN_BYTES}): the writer's
 *       {@code fetch.max.wait.ms} / {@code fetch.min.bytes}. A poll is one Cassandra round (a couple of
 *       CQL requests per room in it), so a longer wait puts more messages per room in a poll; a stored
 *       message is readable (and a resume's {@code storedSeq} reached) up to the wait later</li>
 *   <li>the token settings of {@link AuthConfig#fromEnv}</li>
 * </ul>
 * The bucket size is not an environment variable on purpose: it is part of the storage format and
 * must never change for a keyspace ({@link Buckets}). Tests set a small one with {@link #withBucketSize}.
 */
public record HistoryConfig(String kafkaBootstrap, String topicNamespace, List<InetSocketAddress> cassandraContactPoints,
                            String cassandraLocalDc, String keyspace, String groupId, String host, int port,
                            AuthConfig auth, Buckets buckets, int fetchMaxWaitMs, int fetchMinBytes) {
    /**
     * 250 ms: at 1,000 messages/s over 100 rooms a poll then holds ~2.5 messages per room (~1 at
     * the former 100 ms), so the requests per room of a poll are shared by more messages; a
     * quarter second more before a message is readable from history is far inside what a resume
     * waits (PARLEY_RESUME_WAIT_MS, 30 s) and unnoticeable to a page read.
     */
    public static final int DEFAULT_FETCH_MAX_WAIT_MS = 250;
    /**
     * 256 KiB (~430 room events of ~600 bytes, under the 500 records of a poll): at 1,000 events/s
     * it takes ~430 ms to fill, so the wait, not the size, ends a fetch; at higher rates the size
     * does, sooner than the wait.
     */
    public static final int DEFAULT_FETCH_MIN_BYTES = 256 * 1024;

    public HistoryConfig {
        cassandraContactPoints = List.copyOf(cassandraContactPoints);
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("PARLEY_HISTORY_PORT out of range: " + port);
        }
        if (fetchMaxWaitMs < 0 || fetchMaxWaitMs > 10_000) {
            throw new IllegalArgumentException("PARLEY_HISTORY_FETCH_MAX_WAIT_MS must be 0..10000: " + fetchMaxWaitMs);
        }
        if (fetchMinBytes < 1) {
            throw new IllegalArgumentException("PARLEY_HISTORY_FETCH_MIN_BYTES must be positive: " + fetchMinBytes);
        }
    }

    public static HistoryConfig fromEnv(Map<String, String> env) {
        HistoryConfig storage = storageFromEnv(env);
        return new HistoryConfig(storage.kafkaBootstrap(), storage.topicNamespace(), storage.cassandraContactPoints(),
                storage.cassandraLocalDc(), storage.keyspace(), storage.groupId(), storage.host(),
                integer(env, "PARLEY_HISTORY_PORT", 8090), AuthConfig.fromEnv(env), storage.buckets(),
                storage.fetchMaxWaitMs(), storage.fetchMinBytes());
    }

    /**
     * The same settings without the token ones ({@code auth} null): for the commands that serve no
     * API (rebuild), so they run without {@code PARLEY_JWT_SECRET}; port 0.
     */
    public static HistoryConfig storageFromEnv(Map<String, String> env) {
        return new HistoryConfig(
                value(env, "PARLEY_KAFKA_BOOTSTRAP", "127.0.0.1:19092"),
                value(env, "PARLEY_TOPIC_NAMESPACE", Topic.DEFAULT_NAMESPACE),
                contactPoints(value(env, "PARLEY_CASSANDRA_CONTACT_POINTS", "127.0.0.1:19042")),
                value(env, "PARLEY_CASSANDRA_LOCAL_DC", "datacenter1"),
                value(env, "PARLEY_CASSANDRA_KEYSPACE", "parley"),
                value(env, "PARLEY_HISTORY_GROUP_ID", "parley-history"),
                value(env, "PARLEY_HISTORY_HOST", "127.0.0.1"),
                0,
                null,
                Buckets.defaults(),
                integer(env, "PARLEY_HISTORY_FETCH_MAX_WAIT_MS", DEFAULT_FETCH_MAX_WAIT_MS),
                integer(env, "PARLEY_HISTORY_FETCH_MIN_BYTES", DEFAULT_FETCH_MIN_BYTES));
    }

    public HistoryConfig withBucketSize(int size) {
        return new HistoryConfig(kafkaBootstrap, topicNamespace, cassandraContactPoints, cassandraLocalDc, keyspace,
                groupId, host, port, auth, new Buckets(size), fetchMaxWaitMs, fetchMinBytes);
    }

    public HistoryConfig withGroupId(String newGroupId) {
        return new HistoryConfig(kafkaBootstrap, topicNamespace, cassandraContactPoints, cassandraLocalDc, keyspace,
                newGroupId, host, port, auth, buckets, fetchMaxWaitMs, fetchMinBytes);
    }

    public HistoryConfig withKeyspace(String newKeyspace) {
        return new HistoryConfig(kafkaBootstrap, topicNamespace, cassandraContactPoints, cassandraLocalDc, newKeyspace,
                groupId, host, port, auth, buckets, fetchMaxWaitMs, fetchMinBytes);
    }

    public String roomEventsTopic() {
        return Topic.ROOM_EVENTS.nameIn(topicNamespace);
    }

    static List<InetSocketAddress> contactPoints(String text) {
        List<InetSocketAddress> points = new ArrayList<>();
        for (String part : text.split(",")) {
            String point = part.strip();
            if (point.isEmpty()) {
                continue;
            }
            int colon = point.lastIndexOf(':');
            String host = colon < 0 ? point : point.substring(0, colon);
            int port = colon < 0 ? 9042 : Integer.parseInt(point.substring(colon + 1));
            points.add(new InetSocketAddress(host, port));
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("PARLEY_CASSANDRA_CONTACT_POINTS is empty");
        }
        return points;
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String value = value(env, name, Integer.toString(fallback));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number: " + value, e);
        }
    }
}
