// Owns the validation of the history endpoint's query parameters (before, after, limit).
package io.parley.history.api;

import io.parley.history.cql.PageRequest;

import java.util.List;
import java.util.Map;

/**
 * Parses {@code ?before=&after=&limit=}: seqs are non-negative integers, {@code limit} is 1 to
 * {@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT}); {@code before} and {@code after} together,
 * a repeated parameter or a non-number are refused. Unknown parameters are ignored.
 */
public final class HistoryParams {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    private HistoryParams() {}

    public sealed interface Result {}

    public record Valid(PageRequest request) implements Result {}

    public record Invalid(String message) implements Result {}

    public static Result parse(Map<String, List<String>> query) {
        try {
            Long before = seq(query, "before");
            Long after = seq(query, "after");
            int limit = limit(query);
            if (before != null && after != null) {
                return new Invalid("use 'before' or 'after', not both");
            }
            if (before != null) {
                return new Valid(new PageRequest.Before(before, limit));
            }
            if (after != null) {
                return new Valid(new PageRequest.After(after, limit));
            }
            return new Valid(new PageRequest.Latest(limit));
        } catch (IllegalArgumentException e) {
            return new Invalid(e.getMessage());
        }
    }

    private static Long seq(Map<String, List<String>> query, String name) {
        String text = single(query, name);
        if (text == null) {
            return null;
        }
        long value = number(name, text);
        if (value < 0) {
            throw new IllegalArgumentException("'" + name + "' must not be negative");
        }
        return value;
    }

    private static int limit(Map<String, List<String>> query) {
        String text = single(query, "limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        long value = number("limit", text);
        if (value < 1 || value > MAX_LIMIT) {
            throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_LIMIT);
        }
        return (int) value;
    }

    /** The one value of a query parameter (stripped), or null; refuses a repeated one. Shared with ReplayParams. */
    static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException("'" + name + "' given more than once");
        }
        return values.getFirst().strip();
    }

    /** The parameter's integer value; refuses a non-number. Shared with ReplayParams. */
    static long number(String name, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "' must be an integer");
        }
    }
}
