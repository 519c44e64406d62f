// Owns the validation of the replay endpoint's query parameters (fromSeq, toSeq, fromTime, toTime).
package io.parley.history.api;

import io.parley.history.cql.ReplayRange;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code ?fromSeq=&toSeq=&fromTime=&toTime=} of {@code GET /v1/rooms/{roomId}/events}:
 * seqs are integers, {@code fromSeq} at least 1 (default 1), {@code toSeq} at least {@code fromSeq}
 * (default: the room's last event), both inclusive; times are ISO-8601 instants ({@code
 * 2026-01-01T10:00:00Z}, an offset such as {@code +02:00} allowed), {@code fromTime} inclusive,
 * {@code toTime} exclusive and after {@code fromTime}. Seq and time bounds combine (both must
 * hold). A repeated parameter or a malformed value is refused; unknown parameters are ignored.
 */
public final class ReplayParams {
    private ReplayParams() {}

    public sealed interface Result {}

    public record Valid(ReplayRange range) implements Result {}

    public record Invalid(String message) implements Result {}

    public static Result parse(Map<String, List<String>> query) {
        try {
            Long fromSeq = seq(query, "fromSeq");
            Long toSeq = seq(query, "toSeq");
            Instant fromTime = time(query, "fromTime");
            Instant toTime = time(query, "toTime");
            long from = fromSeq == null ? 1 : fromSeq;
            long to = toSeq == null ? Long.MAX_VALUE : toSeq;
            if (from < 1) {
                return new Invalid("'fromSeq' must be at least 1");
            }
            if (to < from) {
                return new Invalid("'toSeq' must not be below 'fromSeq'");
            }
            if (fromTime != null && toTime != null && !toTime.isAfter(fromTime)) {
                return new Invalid("'toTime' must be after 'fromTime'");
            }
            return new Valid(new ReplayRange(from, to, fromTime, toTime));
        } catch (IllegalArgumentException e) {
            return new Invalid(e.getMessage());
        }
    }

    private static Long seq(Map<String, List<String>> query, String name) {
        String text = HistoryParams.single(query, name);
        return text == null ? null : HistoryParams.number(name, text);
    }

    private static Instant time(Map<String, List<String>> query, String name) {
        String text = HistoryParams.single(query, name);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + name + "' must be an ISO-8601 instant such as 2026-01-01T10:00:00Z");
        }
    }
}
