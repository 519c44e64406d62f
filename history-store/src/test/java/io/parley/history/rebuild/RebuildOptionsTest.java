package io.parley.history.rebuild;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RebuildOptionsTest {

    @Test
    void defaultsNameTheGroupAfterTheKeyspace() {
        RebuildMain.Options options = RebuildMain.Options.parse(new String[] {"--keyspace", "parley_r1"});
        assertThat(options.groupId()).isEqualTo("parley-rebuild-parley_r1");
        assertThat(options.inFlight()).isEqualTo(512);
        assertThat(options.batches()).isEqualTo(8);
        assertThat(options.progressSeconds()).isEqualTo(5);
    }

    @Test
    void optionsOverrideTheDefaults() {
        RebuildMain.Options options = RebuildMain.Options.parse(new String[] {"--keyspace", "k", "--group", "g",
                "--in-flight", "64", "--batches", "2", "--progress-seconds", "1"});
        assertThat(options).extracting(RebuildMain.Options::groupId, RebuildMain.Options::inFlight,
                RebuildMain.Options::batches, RebuildMain.Options::progressSeconds).containsExactly("g", 64, 2, 1);
    }

    @Test
    void badUsageIsRefusedWithAReason() {
        assertThatThrownBy(() -> RebuildMain.Options.parse(new String[0])).hasMessageContaining("--keyspace");
        assertThatThrownBy(() -> RebuildMain.Options.parse(new String[] {"--keyspace"})).hasMessageContaining("pairs");
        assertThatThrownBy(() -> RebuildMain.Options.parse(new String[] {"--keyspace", "k", "--batches", "0"}))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> RebuildMain.Options.parse(new String[] {"--keyspace", "k", "--fast", "yes"}))
                .hasMessageContaining("unknown");
    }
}
