/*
 * RateLimitConfigTest owns the proof that the edge reads the rate-limit settings with the
 * processors' defaults (60 per minute, burst 10), the attempt window (2 s, 0 allowed) and names
 * the variable of a bad value.
 */
package io.parley.edge.guard;

import io.parley.edge.EdgeConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitConfigTest {

    @Test
    void defaultsAreTheProcessorsAndTheEnvironmentOverridesThem() {
        assertThat(config(Map.of())).isEqualTo(new RateLimitConfig(60, 10, 5_000));
        assertThat(config(Map.of("PARLEY_MAX_MESSAGES_PER_MINUTE", "600", "PARLEY_RATE_BURST", " 20 ",
                "PARLEY_EDGE_ATTEMPT_WINDOW_MS", "0"))).isEqualTo(new RateLimitConfig(600, 20, 0));
    }

    @Test
    void aBadValueNamesItsVariable() {
        assertThatThrownBy(() -> config(Map.of("PARLEY_EDGE_ATTEMPT_WINDOW_MS", "-1")))
                .hasMessageContaining("PARLEY_EDGE_ATTEMPT_WINDOW_MS");
        assertThatThrownBy(() -> config(Map.of("PARLEY_RATE_BURST", "0")))
                .hasMessageContaining("PARLEY_RATE_BURST");
        assertThatThrownBy(() -> config(Map.of("PARLEY_MAX_MESSAGES_PER_MINUTE", "x")))
                .hasMessageContaining("PARLEY_MAX_MESSAGES_PER_MINUTE");
    }

    private static RateLimitConfig config(Map<String, String> settings) {
        Map<String, String> env = new java.util.HashMap<>(settings);
        env.put("PARLEY_JWT_SECRET", "a-test-secret-of-at-least-thirty-two-bytes");
        return EdgeConfig.fromEnv(env).rateLimit();
    }
}
