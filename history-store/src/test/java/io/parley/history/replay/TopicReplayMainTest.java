package io.parley.history.replay;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicReplayMainTest {
    private static final Map<String, String> ENV = Map.of("PARLEY_KAFKA_BOOTSTRAP", "k:1", "PARLEY_TOPIC_NAMESPACE", "ns.");

    @Test
    void readsTheSourceFromTheNamespaceAndTheSelectionFromTheArguments() {
        TopicReplay.Settings settings = TopicReplayMain.parse(new String[] {"--target", "out", "--room", "lobby",
                "--from-time", "2026-01-01T00:00:00Z", "--to-time", "2026-01-02T00:00:00Z", "--rate", "250"}, ENV);
        assertThat(settings.bootstrap()).isEqualTo("k:1");
        assertThat(settings.source()).isEqualTo("ns.room-events.v1");
        assertThat(settings.target()).isEqualTo("out");
        assertThat(settings.roomId()).isEqualTo("lobby");
        assertThat(settings.fromTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(settings.eventsPerSecond()).isEqualTo(250);
    }

    @Test
    void everythingAtTheDefaultRateWhenNothingIsSelected() {
        TopicReplay.Settings settings = TopicReplayMain.parse(new String[] {"--target", "out"}, Map.of());
        assertThat(settings.source()).isEqualTo("parley.room-events.v1");
        assertThat(settings.roomId()).isNull();
        assertThat(settings.fromTime()).isNull();
        assertThat(settings.eventsPerSecond()).isEqualTo(5000);
    }

    @Test
    void badUsageIsRefusedWithAReason() {
        assertThatThrownBy(() -> TopicReplayMain.parse(new String[0], ENV)).hasMessageContaining("--target");
        assertThatThrownBy(() -> TopicReplayMain.parse(new String[] {"--target", "ns.room-events.v1"}, ENV))
                .hasMessageContaining("source");
        assertThatThrownBy(() -> TopicReplayMain.parse(new String[] {"--target", "o", "--rate", "-1"}, ENV))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> TopicReplayMain.parse(new String[] {"--target", "o", "--from-time", "now"}, ENV))
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> TopicReplayMain.parse(new String[] {"--target", "o", "--from-time", "2026-01-02T00:00:00Z",
                "--to-time", "2026-01-01T00:00:00Z"}, ENV)).hasMessageContaining("after");
        assertThatThrownBy(() -> TopicReplayMain.parse(new String[] {"--target", "o", "--topic", "x"}, ENV))
                .hasMessageContaining("unknown");
    }
}
