/*
 * SessionAuthConfig owns the settings of authentication after the handshake: how long a
 * connection opened without a token may wait for its first-message auth, and how long before its
 * token's expiry a connection is warned. Part of EdgeConfig.
 */
package io.parley.edge.auth;

import java.util.Map;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_AUTH_TIMEOUT_MS</td><td>10000</td><td>a connection opened without a token that sends no valid {@code auth} this long is closed (AUTH_TIMEOUT)</td></tr>
 * <tr><td>PARLEY_TOKEN_EXPIRY_WARNING_MS</td><td>30000</td><td>{@code token-expiring} is sent this long before the token's exp (at most half the token's remaining life)</td></tr>
 * </table>
 */
public record SessionAuthConfig(long authTimeoutMs, long expiryWarningMs) {

    public SessionAuthConfig {
        if (authTimeoutMs < 100) {
            throw new IllegalArgumentException("PARLEY_AUTH_TIMEOUT_MS must be >= 100");
        }
        if (expiryWarningMs < 0) {
            throw new IllegalArgumentException("PARLEY_TOKEN_EXPIRY_WARNING_MS must be >= 0");
        }
    }

    public static SessionAuthConfig defaults() {
        return new SessionAuthConfig(10_000, 30_000);
    }

    /** Reads the variables; {@code number} parses a named integer variable with a default. */
    public static SessionAuthConfig fromEnv(Map<String, String> env, io.parley.edge.socketio.SocketIoConfig.NumberReader number) {
        return new SessionAuthConfig(number.read("PARLEY_AUTH_TIMEOUT_MS", 10_000),
                number.read("PARLEY_TOKEN_EXPIRY_WARNING_MS", 30_000));
    }
}
