package io.parley.contracts;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventIdsTest {
    @Test
    void idsAreTimeOrderedAndStrictlyIncreasingWithinAProcess() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(EventIds.next());
        }
        assertThat(ids).doesNotHaveDuplicates().isSorted().allSatisfy(id -> assertThat(id).hasSize(26));
    }

    @Test
    void theTimestampCanBeReadBack() {
        long before = System.currentTimeMillis();
        String id = EventIds.next();
        assertThat(EventIds.timestampOf(id)).isBetween(before, System.currentTimeMillis() + 1);
        assertThat(EventIds.encode(0x123456789AL, 0, 0)).isEqualTo("0028T5CY4T0000000000000000");
        assertThat(EventIds.timestampOf(EventIds.encode(0x123456789AL, 7, 9))).isEqualTo(0x123456789AL);
    }

    @Test
    void eachMillisecondStartsFromFreshRandomBitsAcrossPoolRefills() {
        // 250 milliseconds that make ids draw 2,500 pooled bytes: the pool (1,000 bytes) is refilled twice.
        java.util.Map<Long, String> firstOfMillisecond = new java.util.LinkedHashMap<>();
        while (firstOfMillisecond.size() < 250) {
            String id = EventIds.next();
            firstOfMillisecond.putIfAbsent(EventIds.timestampOf(id), id);
        }
        List<String> randomParts = firstOfMillisecond.values().stream().map(id -> id.substring(10)).toList();
        assertThat(randomParts).doesNotHaveDuplicates();
        assertThat(randomParts).noneMatch(part -> part.equals("0000000000000000"));
    }

    @Test
    void garbageIsNotAnId() {
        assertThatThrownBy(() -> EventIds.timestampOf("short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivedIdsAreDeterministicValidAndDistinctPerSalt() {
        String base = EventIds.next();
        String a = EventIds.derived(base, "conn-1");
        org.assertj.core.api.Assertions.assertThat(a).hasSize(26).isEqualTo(EventIds.derived(base, "conn-1"))
                .isNotEqualTo(EventIds.derived(base, "conn-2")).isNotEqualTo(base);
        org.assertj.core.api.Assertions.assertThat(EventIds.timestampOf(a)).isEqualTo(EventIds.timestampOf(base));
    }
}
