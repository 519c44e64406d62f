/*
 * ProcessorsConfig owns the settings of the stream-processors service: every one is read from an
 * environment variable (one name everywhere, see DESIGN.md section 4) with a documented default,
 * and checked once at startup so a bad value fails with a message naming the variable.
 */
package io.parley.processors;

import io.parley.contracts.Topic;

import java.nio.file.Path;
import java.util.Map;

/**
 * The processors' settings.
 *
 * @param kafkaBootstrap       {@code PARLEY_KAFKA_BOOTSTRAP}, default {@code 127.0.0.1:19092}
 * @param topicNamespace       {@code PARLEY_TOPIC_NAMESPACE}, default {@link Topic#DEFAULT_NAMESPACE}
 * @param applicationId        {@code PARLEY_PROCESSORS_APP_ID}, default {@code parley-processors}
 *                             (the consumer group and the prefix of internal topics)
 * @param stateDir             {@code PARLEY_STATE_DIR}, default {@code ./.parley/processors-state}
 * @param healthPort           {@code PARLEY_PROCESSORS_HEALTH_PORT}, default 8070; 0 picks a free port
 * @param maxMessageLength     {@code PARLEY_MAX_MESSAGE_LENGTH}, default 4000 (code points)
 * @param maxMessagesPerMinute {@code PARLEY_MAX_MESSAGES_PER_MINUTE}, default 60 (token refill per minute)
 * @param rateBurst            {@code PARLEY_RATE_BURST}, default 10 (token bucket capacity)
 * @param lingerMs             {@code PARLEY_PROCESSORS_LINGER_MS}, default 1 (Streams' own default is 100 ms:
 *                             see STACK.md, latency traps)
 * @param commitIntervalMs     {@code PARLEY_PROCESSORS_COMMIT_INTERVAL_MS}, default 5000 (bounds reprocessing
 *                             after a crash, at-least-once; and how often the cached rate-limit
 *                             store writes a user's state: per-message budget, docs/benchmarks.md)
 * @param presenceGraceMs      {@code PARLEY_PRESENCE_GRACE_MS}, default 10000: a user with no connection left
 *                             goes offline only after this long (a reconnect within it changes nothing)
 * @param presenceIdleMs       {@code PARLEY_PRESENCE_IDLE_MS}, default 300000: an {@code online} user with no
 *                             activity for this long shows as {@code away}; 0 disables it
 * @param presenceTickMs       {@code PARLEY_PRESENCE_TICK_MS}, default 250: how often the presence timers are
 *                             checked (wall clock)
 * @param redisUrl             {@code PARLEY_REDIS_URL}, default none: where the presence read view is kept
 *                             ({@code redis://host:port}); none: no view
 * @param typingTimeoutMs      {@code PARLEY_TYPING_TIMEOUT_MS}, default 5000: a typist who sends no
 *                             {@code typing-start} refresh for this long is stopped automatically (wall clock)
 * @param leaseTickMs          {@code PARLEY_LEASE_TICK_MS}, default 1000: how often the lease stage appends a
 *                             tick to edge-nodes; a dead edge node expires within its lease + this + the
 *                             processors' lag
 * @param maxConnectionsPerUser {@code PARLEY_MAX_CONNECTIONS_PER_USER}, default 20: a user's connections across
 *                             every edge node; the presence stage closes the one that goes over (a
 *                             {@code connection-limit} delivery); 0 = no limit (the edge applies the same
 *                             variable per node)
 * @param fetchMinBytes        {@code PARLEY_PROCESSORS_FETCH_MIN_BYTES}, default 1: the Streams consumer's
 *                             {@code fetch.min.bytes}; with {@code fetchMaxWaitMs} it trades a bounded wait
 *                             per hop for fewer fetch requests (the broker's CPU is per request)
 * @param fetchMaxWaitMs       {@code PARLEY_PROCESSORS_FETCH_MAX_WAIT_MS}, default 500 (Kafka's): how long the
 *                             broker may hold a fetch for {@code fetchMinBytes}
 */
public record ProcessorsConfig(String kafkaBootstrap, String topicNamespace, String applicationId, Path stateDir,
                               int healthPort, int maxMessageLength, int maxMessagesPerMinute, int rateBurst,
                               int lingerMs, int commitIntervalMs, long presenceGraceMs, long presenceIdleMs,
                               long presenceTickMs, String redisUrl, long typingTimeoutMs, long leaseTickMs,
                               int maxConnectionsPerUser, int fetchMinBytes, int fetchMaxWaitMs) {

    public ProcessorsConfig {
        require(!kafkaBootstrap.isBlank(), "PARLEY_KAFKA_BOOTSTRAP must not be blank");
        require(!applicationId.isBlank(), "PARLEY_PROCESSORS_APP_ID must not be blank");
        require(healthPort >= 0 && healthPort <= 65535, "PARLEY_PROCESSORS_HEALTH_PORT must be 0-65535, was " + healthPort);
        require(maxMessageLength >= 1, "PARLEY_MAX_MESSAGE_LENGTH must be at least 1, was " + maxMessageLength);
        require(maxMessagesPerMinute >= 1, "PARLEY_MAX_MESSAGES_PER_MINUTE must be at least 1, was " + maxMessagesPerMinute);
        require(rateBurst >= 1, "PARLEY_RATE_BURST must be at least 1, was " + rateBurst);
        require(lingerMs >= 0, "PARLEY_PROCESSORS_LINGER_MS must be at least 0, was " + lingerMs);
        require(commitIntervalMs >= 1, "PARLEY_PROCESSORS_COMMIT_INTERVAL_MS must be at least 1, was " + commitIntervalMs);
        require(presenceGraceMs >= 0, "PARLEY_PRESENCE_GRACE_MS must be at least 0, was " + presenceGraceMs);
        require(presenceIdleMs >= 0, "PARLEY_PRESENCE_IDLE_MS must be at least 0, was " + presenceIdleMs);
        require(presenceTickMs >= 10, "PARLEY_PRESENCE_TICK_MS must be at least 10, was " + presenceTickMs);
        require(maxConnectionsPerUser >= 0, "PARLEY_MAX_CONNECTIONS_PER_USER must be at least 0, was " + maxConnectionsPerUser);
        require(fetchMinBytes >= 1, "PARLEY_PROCESSORS_FETCH_MIN_BYTES must be at least 1, was " + fetchMinBytes);
        require(fetchMaxWaitMs >= 0, "PARLEY_PROCESSORS_FETCH_MAX_WAIT_MS must be at least 0, was " + fetchMaxWaitMs);
        require(leaseTickMs >= 10, "PARLEY_LEASE_TICK_MS must be at least 10, was " + leaseTickMs);
        require(typingTimeoutMs >= 100, "PARLEY_TYPING_TIMEOUT_MS must be at least 100, was " + typingTimeoutMs);
        require(redisUrl == null || redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://"),
                "PARLEY_REDIS_URL must start with redis:// or rediss://, was " + redisUrl);
    }

    /** The settings from the process environment. */
    public static ProcessorsConfig fromEnv() {
        return from(System.getenv());
    }

    /** The settings from {@code env}; a variable absent or blank takes its default. */
    public static ProcessorsConfig from(Map<String, String> env) {
        return new ProcessorsConfig(
                text(env, "PARLEY_KAFKA_BOOTSTRAP", "127.0.0.1:19092"),
                text(env, "PARLEY_TOPIC_NAMESPACE", Topic.DEFAULT_NAMESPACE),
                text(env, "PARLEY_PROCESSORS_APP_ID", "parley-processors"),
                Path.of(text(env, "PARLEY_STATE_DIR", "./.parley/processors-state")),
                integer(env, "PARLEY_PROCESSORS_HEALTH_PORT", 8070),
                integer(env, "PARLEY_MAX_MESSAGE_LENGTH", 4000),
                integer(env, "PARLEY_MAX_MESSAGES_PER_MINUTE", 60),
                integer(env, "PARLEY_RATE_BURST", 10),
                integer(env, "PARLEY_PROCESSORS_LINGER_MS", 1),
                integer(env, "PARLEY_PROCESSORS_COMMIT_INTERVAL_MS", 5000),
                integer(env, "PARLEY_PRESENCE_GRACE_MS", 10_000),
                integer(env, "PARLEY_PRESENCE_IDLE_MS", 300_000),
                integer(env, "PARLEY_PRESENCE_TICK_MS", 250),
                text(env, "PARLEY_REDIS_URL", null),
                integer(env, "PARLEY_TYPING_TIMEOUT_MS", 5000),
                integer(env, "PARLEY_LEASE_TICK_MS", 1000),
                integer(env, "PARLEY_MAX_CONNECTIONS_PER_USER", 20),
                integer(env, "PARLEY_PROCESSORS_FETCH_MIN_BYTES", 1),
                integer(env, "PARLEY_PROCESSORS_FETCH_MAX_WAIT_MS", 500));
    }

    /** The settings with another Redis URL (null: no view). */
    public ProcessorsConfig withRedisUrl(String url) {
        return new ProcessorsConfig(kafkaBootstrap, topicNamespace, applicationId, stateDir, healthPort, maxMessageLength,
                maxMessagesPerMinute, rateBurst, lingerMs, commitIntervalMs, presenceGraceMs, presenceIdleMs,
                presenceTickMs, url, typingTimeoutMs, leaseTickMs, maxConnectionsPerUser, fetchMinBytes, fetchMaxWaitMs);
    }

    /** The name of a catalog topic in this deployment's namespace. */
    public String topic(Topic topic) {
        return topic.nameIn(topicNamespace);
    }

    private static String text(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
