/*
 * SocketIoConfig owns the settings of the Socket.IO endpoint (/socket.io/): Engine.IO heartbeat,
 * maxPayload, the CONNECT deadline and the browser origins allowed by CORS. Part of EdgeConfig.
 */
package io.parley.edge.socketio;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_SIO_PING_INTERVAL_MS</td><td>25000</td><td>the server pings every this long</td></tr>
 * <tr><td>PARLEY_SIO_PING_TIMEOUT_MS</td><td>20000</td><td>a session whose pong is this late is closed</td></tr>
 * <tr><td>PARLEY_SIO_MAX_PAYLOAD</td><td>100000</td><td>max bytes of one HTTP long-polling POST or WebSocket message</td></tr>
 * <tr><td>PARLEY_SIO_CONNECT_TIMEOUT_MS</td><td>10000</td><td>a session without a Socket.IO CONNECT this long is closed (AUTH_TIMEOUT)</td></tr>
 * <tr><td>PARLEY_CORS_ORIGINS</td><td>(none)</td><td>comma-separated browser origins allowed besides the same origin, on /socket.io/ and /ws; {@code *} for any (then without credentials). PARLEY_SIO_CORS_ORIGINS is an older alias, read when PARLEY_CORS_ORIGINS is unset</td></tr>
 * </table>
 */
public record SocketIoConfig(long pingIntervalMs, long pingTimeoutMs, int maxPayload, long connectTimeoutMs,
                             List<String> corsOrigins) {

    public SocketIoConfig {
        require(pingIntervalMs >= 50, "PARLEY_SIO_PING_INTERVAL_MS must be >= 50");
        require(pingTimeoutMs >= 50, "PARLEY_SIO_PING_TIMEOUT_MS must be >= 50");
        require(maxPayload >= 1024, "PARLEY_SIO_MAX_PAYLOAD must be >= 1024");
        require(connectTimeoutMs >= 100, "PARLEY_SIO_CONNECT_TIMEOUT_MS must be >= 100");
        corsOrigins = List.copyOf(corsOrigins);
    }

    public static SocketIoConfig defaults() {
        return new SocketIoConfig(25_000, 20_000, 100_000, 10_000, List.of());
    }

    /** Reads the PARLEY_SIO_* variables; {@code number} parses a named integer variable. */
    public static SocketIoConfig fromEnv(Map<String, String> env, NumberReader number) {
        String origins = env.getOrDefault("PARLEY_CORS_ORIGINS", env.getOrDefault("PARLEY_SIO_CORS_ORIGINS", ""));
        return new SocketIoConfig(
                number.read("PARLEY_SIO_PING_INTERVAL_MS", 25_000),
                number.read("PARLEY_SIO_PING_TIMEOUT_MS", 20_000),
                (int) Math.min(Integer.MAX_VALUE, number.read("PARLEY_SIO_MAX_PAYLOAD", 100_000)),
                number.read("PARLEY_SIO_CONNECT_TIMEOUT_MS", 10_000),
                Arrays.stream(origins.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    /** Reads one integer variable with a default. */
    @FunctionalInterface
    public interface NumberReader {
        long read(String name, long fallback);
    }

    public SocketIoConfig withHeartbeat(long intervalMs, long timeoutMs) {
        return new SocketIoConfig(intervalMs, timeoutMs, maxPayload, connectTimeoutMs, corsOrigins);
    }

    public SocketIoConfig withMaxPayload(int bytes) {
        return new SocketIoConfig(pingIntervalMs, pingTimeoutMs, bytes, connectTimeoutMs, corsOrigins);
    }

    public SocketIoConfig withConnectTimeout(long ms) {
        return new SocketIoConfig(pingIntervalMs, pingTimeoutMs, maxPayload, ms, corsOrigins);
    }

    public SocketIoConfig withCorsOrigins(List<String> origins) {
        return new SocketIoConfig(pingIntervalMs, pingTimeoutMs, maxPayload, connectTimeoutMs, origins);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
