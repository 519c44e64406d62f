/*
 * EdgeConfigFetchTest owns the proof that the deliveries consumer's fetch settings are read from
 * PARLEY_EDGE_FETCH_MIN_BYTES / PARLEY_EDGE_FETCH_MAX_WAIT_MS, default to 1 byte / 100 ms (the
 * values the consumer always had), and refuse a bad value naming the variable.
 */
package io.parley.edge;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EdgeConfigFetchTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("PARLEY_JWT_SECRET", "a-test-secret-of-at-least-32-bytes-long!!");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void defaultsAreTheConsumersFormerValues() {
        EdgeConfig config = EdgeConfig.fromEnv(env());
        assertThat(config.kafka().fetchMinBytes()).isEqualTo(1);
        assertThat(config.kafka().fetchMaxWaitMs()).isEqualTo(100);
    }

    @Test
    void valuesAreReadAndKeptByTheWithers() {
        EdgeConfig config = EdgeConfig.fromEnv(env("PARLEY_EDGE_FETCH_MIN_BYTES", "65536", "PARLEY_EDGE_FETCH_MAX_WAIT_MS", "5"));
        assertThat(config.kafka().fetchMinBytes()).isEqualTo(65536);
        assertThat(config.kafka().fetchMaxWaitMs()).isEqualTo(5);
        EdgeConfig other = config.withResume(config.resume()).withSocketIo(config.socketIo()).withSessionAuth(config.sessionAuth());
        assertThat(other.kafka().fetchMinBytes()).isEqualTo(65536);
        assertThat(other.kafka().fetchMaxWaitMs()).isEqualTo(5);
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> EdgeConfig.fromEnv(env("PARLEY_EDGE_FETCH_MIN_BYTES", "-1")))
                .hasMessageContaining("PARLEY_EDGE_FETCH_MIN_BYTES");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(env("PARLEY_EDGE_FETCH_MAX_WAIT_MS", "soon")))
                .hasMessageContaining("PARLEY_EDGE_FETCH_MAX_WAIT_MS");
    }
}
