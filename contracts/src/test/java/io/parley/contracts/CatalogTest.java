package io.parley.contracts;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogTest {
    @Test
    void topicNamesLiveInANamespaceAndCarryTheirVersion() {
        assertThat(Topic.ROOM_EVENTS.nameIn("parley.")).isEqualTo("parley.room-events.v1");
        assertThat(Arrays.stream(Topic.values()).map(Topic::baseName)).allSatisfy(n -> assertThat(n).endsWith(".v1"))
                .doesNotHaveDuplicates();
    }

    @Test
    void theRoomLogIsKeptForeverAndCoPartitionedWithItsCommands() {
        assertThat(Topic.ROOM_EVENTS.retentionMs()).isEqualTo(-1L);
        assertThat(Topic.ROOM_EVENTS.configs()).containsEntry("retention.ms", "-1");
        assertThat(Topic.ROOM_EVENTS.partitions()).isEqualTo(Topic.ROOM_COMMANDS.partitions());
    }

    @Test
    void theCqlSchemaIsSplitIntoStatementsForAKeyspace() {
        var statements = CqlSchema.statements("parley_test", CqlSchema.localReplication());
        assertThat(statements.getFirst()).startsWith("CREATE KEYSPACE IF NOT EXISTS parley_test");
        assertThat(statements).allSatisfy(s -> assertThat(s).doesNotContain("${").doesNotContain("--").contains("IF NOT EXISTS"));
        assertThat(statements).anySatisfy(s -> assertThat(s).contains("parley_test.messages"));
    }

    @Test
    void aKeyspaceNameCannotInjectCql() {
        assertThatThrownBy(() -> CqlSchema.statements("x; DROP KEYSPACE y", CqlSchema.localReplication()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
