/*
 * ProcessorsConfigTest owns the checks of the processors' settings: the documented defaults, the
 * environment overriding them, and a clear error naming the variable for a bad value.
 */
package io.parley.processors;

import io.parley.contracts.Topic;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessorsConfigTest {

    @Test
    void defaults() {
        ProcessorsConfig config = ProcessorsConfig.from(Map.of());
        assertThat(config).isEqualTo(new ProcessorsConfig("127.0.0.1:19092", Topic.DEFAULT_NAMESPACE, "parley-processors",
                Path.of("./.parley/processors-state"), 8070, 4000, 60, 10, 1, 5000, 10_000, 300_000, 250, null, 5000, 1000, 20, 1, 500));
        assertThat(config.topic(Topic.ROOM_COMMANDS)).isEqualTo("parley.room-commands.v1");
    }

    @Test
    void theEnvironmentOverrides() {
        ProcessorsConfig config = ProcessorsConfig.from(Map.of(
                "PARLEY_KAFKA_BOOTSTRAP", "127.0.0.1:9999", "PARLEY_TOPIC_NAMESPACE", "t1.",
                "PARLEY_PROCESSORS_HEALTH_PORT", "0", "PARLEY_RATE_BURST", " 4 ", "PARLEY_PROCESSORS_LINGER_MS", "0",
                "PARLEY_PROCESSORS_FETCH_MIN_BYTES", "16384", "PARLEY_PROCESSORS_FETCH_MAX_WAIT_MS", "5"));
        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:9999");
        assertThat(config.topic(Topic.DELIVERIES)).isEqualTo("t1.deliveries.v1");
        assertThat(config.healthPort()).isZero();
        assertThat(config.rateBurst()).isEqualTo(4);
        assertThat(config.lingerMs()).isZero();
        assertThat(config.fetchMinBytes()).isEqualTo(16384);
        assertThat(config.fetchMaxWaitMs()).isEqualTo(5);
        assertThat(Main.streamsProperties(config)).containsEntry("main.consumer.fetch.min.bytes", 16384)
                .containsEntry("main.consumer.fetch.max.wait.ms", 5);
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> ProcessorsConfig.from(Map.of("PARLEY_MAX_MESSAGE_LENGTH", "lots")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PARLEY_MAX_MESSAGE_LENGTH");
        assertThatThrownBy(() -> ProcessorsConfig.from(Map.of("PARLEY_RATE_BURST", "0")))
                .hasMessageContaining("PARLEY_RATE_BURST");
        assertThatThrownBy(() -> ProcessorsConfig.from(Map.of("PARLEY_PROCESSORS_HEALTH_PORT", "70000")))
                .hasMessageContaining("PARLEY_PROCESSORS_HEALTH_PORT");
    }

    @Test
    void streamsSettingsCarryTheLatencyAndSafetyChoices() {
        Properties props = Main.streamsProperties(ProcessorsConfig.from(Map.of("PARLEY_PROCESSORS_LINGER_MS", "2")));
        assertThat(props.get("processing.guarantee")).isEqualTo("at_least_once");
        assertThat(props.get("producer.linger.ms")).isEqualTo(2);
        assertThat(props.get("commit.interval.ms")).isEqualTo(5000);
        assertThat(props.get("deserialization.exception.handler")).isNotNull();
        // Three sub-topologies: node leases; user-events (rate limits, presence); rooms. They meet only through topics.
        assertThat(Main.topology(ProcessorsConfig.from(Map.of())).describe().subtopologies()).hasSize(3);
    }
}
