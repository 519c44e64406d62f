// Owns what a replay selects of a room's events: a seq range and an optional time range.
package io.parley.history.cql;

import java.time.Instant;

/**
 * Events with {@code fromSeq <= seq <= toSeq} and, when given, {@code fromTime <= timestamp < toTime}
 * (the event's own {@code timestamp}, when the edge accepted it), ascending by seq.
 */
public record ReplayRange(long fromSeq, long toSeq, Instant fromTime, Instant toTime) {
    public ReplayRange {
        if (fromSeq < 1 || toSeq < fromSeq) {
            throw new IllegalArgumentException("need 1 <= fromSeq <= toSeq: " + fromSeq + ".." + toSeq);
        }
    }

    public static ReplayRange all() {
        return new ReplayRange(1, Long.MAX_VALUE, null, null);
    }

    /** True if an event at {@code millis} is inside the time range (always, without one). */
    public boolean inTime(long millis) {
        return (fromTime == null || millis >= fromTime.toEpochMilli()) && (toTime == null || millis < toTime.toEpochMilli());
    }

    /** True if a bucket whose events span {@code first..last} (epoch ms) may hold events of the time range. */
    public boolean overlaps(long first, long last) {
        return (fromTime == null || last >= fromTime.toEpochMilli()) && (toTime == null || first < toTime.toEpochMilli());
    }
}
