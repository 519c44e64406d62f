package io.parley.history.api;

import io.parley.history.cql.ReplayRange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayParamsTest {

    private static ReplayParams.Result parse(Map<String, List<String>> query) {
        return ReplayParams.parse(query);
    }

    private static ReplayRange valid(Map<String, List<String>> query) {
        ReplayParams.Result result = parse(query);
        assertThat(result).isInstanceOf(ReplayParams.Valid.class);
        return ((ReplayParams.Valid) result).range();
    }

    private static String invalid(Map<String, List<String>> query) {
        ReplayParams.Result result = parse(query);
        assertThat(result).isInstanceOf(ReplayParams.Invalid.class);
        return ((ReplayParams.Invalid) result).message();
    }

    @Test
    void defaultsToTheWholeRoom() {
        assertThat(valid(Map.of())).isEqualTo(ReplayRange.all());
    }

    @Test
    void seqBoundsAreInclusiveAndTimesParseWithOffsets() {
        ReplayRange range = valid(Map.of("fromSeq", List.of("5"), "toSeq", List.of("5"),
                "fromTime", List.of("2026-01-01T01:00:00+01:00"), "toTime", List.of("2026-01-01T00:00:01Z")));
        assertThat(range.fromSeq()).isEqualTo(5);
        assertThat(range.toSeq()).isEqualTo(5);
        assertThat(range.fromTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(range.inTime(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli())).isTrue();
        assertThat(range.inTime(Instant.parse("2026-01-01T00:00:01Z").toEpochMilli())).as("toTime exclusive").isFalse();
    }

    @Test
    void refusesBadValuesWithAMessage() {
        assertThat(invalid(Map.of("fromSeq", List.of("0")))).contains("fromSeq");
        assertThat(invalid(Map.of("fromSeq", List.of("-3")))).contains("fromSeq");
        assertThat(invalid(Map.of("toSeq", List.of("x")))).contains("toSeq");
        assertThat(invalid(Map.of("fromSeq", List.of("9"), "toSeq", List.of("8")))).contains("toSeq");
        assertThat(invalid(Map.of("fromTime", List.of("yesterday")))).contains("ISO-8601");
        assertThat(invalid(Map.of("fromTime", List.of("2026-01-01T00:00:00Z"), "toTime", List.of("2026-01-01T00:00:00Z"))))
                .contains("after");
        assertThat(invalid(Map.of("fromSeq", List.of("1", "2")))).contains("more than once");
    }

    @Test
    void bucketsOverlapTheTimeRangeOnlyWhenTheirSpanMeetsIt() {
        ReplayRange range = new ReplayRange(1, Long.MAX_VALUE, Instant.ofEpochMilli(100), Instant.ofEpochMilli(200));
        assertThat(range.overlaps(0, 99)).isFalse();
        assertThat(range.overlaps(0, 100)).isTrue();
        assertThat(range.overlaps(199, 500)).isTrue();
        assertThat(range.overlaps(200, 500)).isFalse();
        assertThat(ReplayRange.all().overlaps(0, 1)).isTrue();
    }
}
