/*
 * EdgeConfig owns every setting of an edge node: read once from the environment, validated, with
 * documented defaults. A bad value stops the node at startup with a message naming the variable.
 */
package io.parley.edge;

import io.parley.contracts.Topic;
import io.parley.contracts.auth.AuthConfig;
import io.parley.edge.auth.SessionAuthConfig;
import io.parley.edge.guard.BackpressureConfig;
import io.parley.edge.guard.CapacityConfig;
import io.parley.edge.guard.RateLimitConfig;
import io.parley.edge.recovery.ResumeConfig;
import io.parley.edge.session.SocketLimits;
import io.parley.edge.socketio.SocketIoConfig;

import java.time.Duration;
import java.util.Map;

/**
 * The edge node's configuration. Related settings are grouped in records of their own (each
 * documents its variables); all are read here.
 *
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_KAFKA_BOOTSTRAP</td><td>127.0.0.1:19092</td><td>Kafka bootstrap servers</td></tr>
 * <tr><td>PARLEY_TOPIC_NAMESPACE</td><td>{@value Topic#DEFAULT_NAMESPACE}</td><td>topic name prefix</td></tr>
 * <tr><td>PARLEY_EDGE_SLOT</td><td>0</td><td>this node's partition of deliveries; &lt; its partition count</td></tr>
 * <tr><td>PARLEY_EDGE_NODE_ID</td><td>edge-&lt;slot&gt;</td><td>unique node id (deliveries key)</td></tr>
 * <tr><td>PARLEY_EDGE_HOST</td><td>127.0.0.1</td><td>bind address</td></tr>
 * <tr><td>PARLEY_EDGE_PORT</td><td>8080</td><td>HTTP/WebSocket port; 0 = any free port</td></tr>
 * <tr><td>PARLEY_MAX_MESSAGE_LENGTH</td><td>4000</td><td>max send-message text, in code points</td></tr>
 * <tr><td>PARLEY_MAX_FRAME_BYTES, PARLEY_MAX_FRAMES_PER_SECOND, PARLEY_SEND_QUEUE_LIMIT</td><td>16384, 20, 1000</td>
 * <td>per-socket bounds: see {@link SocketLimits}</td></tr>
 * <tr><td>PARLEY_EDGE_LEASE_MS</td><td>10000</td><td>liveness lease; a heartbeat every lease/3</td></tr>
 * <tr><td>PARLEY_EDGE_IDLE_TIMEOUT_MS</td><td>120000</td><td>close a socket that sent nothing (not even a ping) for this long</td></tr>
 * <tr><td>PARLEY_EDGE_LINGER_MS, PARLEY_EDGE_FETCH_MIN_BYTES, PARLEY_EDGE_FETCH_MAX_WAIT_MS</td><td>1, 1, 100</td>
 * <td>the Kafka producer's linger and the deliveries consumer's fetch: see {@link KafkaClientConfig}</td></tr>
 * <tr><td>PARLEY_EDGE_MAX_PENDING_MS, PARLEY_EDGE_MAX_PENDING_JOIN_MS</td><td>2000, 30000</td>
 * <td>backpressure: see {@link BackpressureConfig}</td></tr>
 * <tr><td>PARLEY_EDGE_MAX_CONNECTIONS, PARLEY_MAX_CONNECTIONS_PER_USER, PARLEY_MAX_ROOMS_PER_USER</td>
 * <td>100000, 20, 1000</td><td>connections and rooms admitted: see {@link CapacityConfig}</td></tr>
 * <tr><td>PARLEY_MAX_MESSAGES_PER_MINUTE, PARLEY_RATE_BURST, PARLEY_EDGE_ATTEMPT_WINDOW_MS</td><td>60, 10, 5000</td>
 * <td>the per-user message rate limit (this node's own bucket; the processors' across nodes) and the window of
 * the aggregated message-attempt records: see {@link RateLimitConfig}</td></tr>
 * <tr><td>PARLEY_JWT_*</td><td></td><td>see {@link AuthConfig}</td></tr>
 * <tr><td>PARLEY_AUTH_TIMEOUT_MS, PARLEY_TOKEN_EXPIRY_WARNING_MS</td><td></td><td>first-message auth and token expiry: see {@link SessionAuthConfig}</td></tr>
 * <tr><td>PARLEY_SIO_*</td><td></td><td>the Socket.IO endpoint: see {@link SocketIoConfig}</td></tr>
 * <tr><td>PARLEY_HISTORY_URL, PARLEY_RESUME_*</td><td></td><td>resume (missed messages from the history store): see {@link ResumeConfig}</td></tr>
 * </table>
 */
public record EdgeConfig(String kafkaBootstrap, String topicNamespace, String nodeId, int slot, String host, int port,
                         int maxMessageLength, SocketLimits socket, long leaseMs, long idleTimeoutMs, AuthConfig auth,
                         SocketIoConfig socketIo, SessionAuthConfig sessionAuth, ResumeConfig resume,
                         RateLimitConfig rateLimit, KafkaClientConfig kafka, BackpressureConfig backpressure,
                         CapacityConfig capacity) {

    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:19092";

    public EdgeConfig {
        require(kafkaBootstrap != null && !kafkaBootstrap.isBlank(), "PARLEY_KAFKA_BOOTSTRAP must not be empty");
        require(topicNamespace != null, "PARLEY_TOPIC_NAMESPACE must not be null");
        require(nodeId != null && nodeId.matches("[A-Za-z0-9_.-]{1,64}"),
                "PARLEY_EDGE_NODE_ID must be 1-64 letters, digits, '_', '.', '-' (got '" + nodeId + "')");
        require(slot >= 0 && slot < Topic.DELIVERIES.partitions(),
                "PARLEY_EDGE_SLOT must be in [0, " + Topic.DELIVERIES.partitions() + ") (got " + slot + ")");
        require(port >= 0 && port <= 65535, "PARLEY_EDGE_PORT must be in [0, 65535] (got " + port + ")");
        require(maxMessageLength >= 1, "PARLEY_MAX_MESSAGE_LENGTH must be >= 1");
        require(socket != null, "socket limits missing");
        require(leaseMs >= 300, "PARLEY_EDGE_LEASE_MS must be >= 300");
        require(idleTimeoutMs >= 1000, "PARLEY_EDGE_IDLE_TIMEOUT_MS must be >= 1000");
        require(auth != null, "auth configuration missing");
        require(socketIo != null, "Socket.IO configuration missing");
        require(sessionAuth != null, "session auth configuration missing");
        require(resume != null, "resume configuration missing");
        require(rateLimit != null, "rate-limit configuration missing");
        require(kafka != null, "Kafka client configuration missing");
        require(backpressure != null, "backpressure configuration missing");
        require(capacity != null, "capacity configuration missing");
    }

    /** Reads the configuration; throws IllegalArgumentException naming the first bad variable. */
    public static EdgeConfig fromEnv(Map<String, String> env) {
        int slot = intOf(env, "PARLEY_EDGE_SLOT", 0);
        AuthConfig auth;
        try {
            auth = AuthConfig.fromEnv(env);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PARLEY_JWT_CLOCK_SKEW_SECONDS must be an integer", e);
        }
        return new EdgeConfig(
                env.getOrDefault("PARLEY_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP),
                env.getOrDefault("PARLEY_TOPIC_NAMESPACE", Topic.DEFAULT_NAMESPACE),
                nonBlank(env.get("PARLEY_EDGE_NODE_ID"), "edge-" + slot),
                slot,
                env.getOrDefault("PARLEY_EDGE_HOST", "127.0.0.1"),
                intOf(env, "PARLEY_EDGE_PORT", 8080),
                intOf(env, "PARLEY_MAX_MESSAGE_LENGTH", 4000),
                new SocketLimits(
                        intOf(env, "PARLEY_MAX_FRAME_BYTES", SocketLimits.DEFAULT_MAX_FRAME_BYTES),
                        intOf(env, "PARLEY_MAX_FRAMES_PER_SECOND", SocketLimits.DEFAULT_MAX_FRAMES_PER_SECOND),
                        intOf(env, "PARLEY_SEND_QUEUE_LIMIT", SocketLimits.DEFAULT_SEND_QUEUE_LIMIT)),
                longOf(env, "PARLEY_EDGE_LEASE_MS", 10_000),
                longOf(env, "PARLEY_EDGE_IDLE_TIMEOUT_MS", 120_000),
                auth,
                SocketIoConfig.fromEnv(env, (name, fallback) -> longOf(env, name, fallback)),
                SessionAuthConfig.fromEnv(env, (name, fallback) -> longOf(env, name, fallback)),
                ResumeConfig.fromEnv(env, (name, fallback) -> longOf(env, name, fallback)),
                RateLimitConfig.fromEnv(env, (name, fallback) -> longOf(env, name, fallback)),
                new KafkaClientConfig(
                        intOf(env, "PARLEY_EDGE_LINGER_MS", KafkaClientConfig.DEFAULT_LINGER_MS),
                        intOf(env, "PARLEY_EDGE_FETCH_MIN_BYTES", KafkaClientConfig.DEFAULT_FETCH_MIN_BYTES),
                        intOf(env, "PARLEY_EDGE_FETCH_MAX_WAIT_MS", KafkaClientConfig.DEFAULT_FETCH_MAX_WAIT_MS)),
                new BackpressureConfig(
                        longOf(env, "PARLEY_EDGE_MAX_PENDING_MS", BackpressureConfig.DEFAULT_MAX_PENDING_MS),
                        longOf(env, "PARLEY_EDGE_MAX_PENDING_JOIN_MS", BackpressureConfig.DEFAULT_MAX_PENDING_JOIN_MS)),
                new CapacityConfig(
                        intOf(env, "PARLEY_EDGE_MAX_CONNECTIONS", CapacityConfig.DEFAULT_MAX_CONNECTIONS),
                        intOf(env, "PARLEY_MAX_CONNECTIONS_PER_USER", CapacityConfig.DEFAULT_MAX_CONNECTIONS_PER_USER),
                        intOf(env, "PARLEY_MAX_ROOMS_PER_USER", CapacityConfig.DEFAULT_MAX_ROOMS_PER_USER)));
    }

    /** A configuration for tests: everything default except the given values. */
    public static EdgeConfig forTest(AuthConfig auth, int maxFramesPerSecond, int sendQueueLimit) {
        return new EdgeConfig(DEFAULT_BOOTSTRAP, Topic.DEFAULT_NAMESPACE, "edge-test", 0, "127.0.0.1", 0, 4000,
                new SocketLimits(SocketLimits.DEFAULT_MAX_FRAME_BYTES, maxFramesPerSecond, sendQueueLimit), 10_000, 120_000,
                auth, SocketIoConfig.defaults(), SessionAuthConfig.defaults(), ResumeConfig.defaults(),
                RateLimitConfig.defaults(), KafkaClientConfig.defaults(), BackpressureConfig.defaults(),
                CapacityConfig.defaults());
    }

    /** This configuration with other Socket.IO settings. */
    public EdgeConfig withSocketIo(SocketIoConfig socketIo) {
        return new EdgeConfig(kafkaBootstrap, topicNamespace, nodeId, slot, host, port, maxMessageLength, socket, leaseMs,
                idleTimeoutMs, auth, socketIo, sessionAuth, resume, rateLimit, kafka, backpressure, capacity);
    }

    /** This configuration with other resume settings. */
    public EdgeConfig withResume(ResumeConfig resume) {
        return new EdgeConfig(kafkaBootstrap, topicNamespace, nodeId, slot, host, port, maxMessageLength, socket, leaseMs,
                idleTimeoutMs, auth, socketIo, sessionAuth, resume, rateLimit, kafka, backpressure, capacity);
    }

    /** This configuration with other first-message auth / token expiry settings. */
    public EdgeConfig withSessionAuth(SessionAuthConfig sessionAuth) {
        return new EdgeConfig(kafkaBootstrap, topicNamespace, nodeId, slot, host, port, maxMessageLength, socket, leaseMs,
                idleTimeoutMs, auth, socketIo, sessionAuth, resume, rateLimit, kafka, backpressure, capacity);
    }

    /** This configuration with other rate-limit settings. */
    public EdgeConfig withRateLimit(RateLimitConfig rateLimit) {
        return new EdgeConfig(kafkaBootstrap, topicNamespace, nodeId, slot, host, port, maxMessageLength, socket, leaseMs,
                idleTimeoutMs, auth, socketIo, sessionAuth, resume, rateLimit, kafka, backpressure, capacity);
    }

    public String topic(Topic topic) {
        return topic.nameIn(topicNamespace);
    }

    public Duration idleTimeout() {
        return Duration.ofMillis(idleTimeoutMs);
    }

    /** How often Helidon checks for idle connections: a quarter of the timeout, at most 30 s. */
    public Duration idleCheckPeriod() {
        return Duration.ofMillis(Math.max(250, Math.min(idleTimeoutMs / 4, 30_000)));
    }

    public long heartbeatIntervalMs() {
        return Math.max(100, leaseMs / 3);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static int intOf(Map<String, String> env, String name, int fallback) {
        long value = longOf(env, name, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " is out of range: " + value);
        }
        return (int) value;
    }

    private static long longOf(Map<String, String> env, String name, long fallback) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer (got '" + raw + "')");
        }
    }
}
