/*
 * BackpressureConfig owns the edge's backpressure bounds (io.parley.edge.guard.PipelineLag), part
 * of EdgeConfig (read there from the environment): how long the oldest unanswered command may wait
 * before new work, and before joins, is refused with UNAVAILABLE and retryAfterMs.
 */
package io.parley.edge.guard;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_EDGE_MAX_PENDING_MS</td><td>2000</td><td>backpressure: while the oldest command this node published
 * (joins not counted) has waited longer than this for the processors' answer, new sends, mark-reads and typing
 * are refused with UNAVAILABLE and retryAfterMs; 0 = never refuse</td></tr>
 * <tr><td>PARLEY_EDGE_MAX_PENDING_JOIN_MS</td><td>30000</td><td>backpressure for joins: refused the same way only while
 * the oldest unanswered command of any kind is older than this, so a join burst on a cold stack is admitted; 0 = never</td></tr>
 * </table>
 */
public record BackpressureConfig(long maxPendingMs, long maxPendingJoinMs) {
    public static final long DEFAULT_MAX_PENDING_MS = 2_000;
    /** Joins wait this long (the oldest unanswered command's age) before they are refused. */
    public static final long DEFAULT_MAX_PENDING_JOIN_MS = 30_000;

    public BackpressureConfig {
        if (maxPendingMs < 0) {
            throw new IllegalArgumentException("PARLEY_EDGE_MAX_PENDING_MS must be >= 0");
        }
        if (maxPendingJoinMs < 0) {
            throw new IllegalArgumentException("PARLEY_EDGE_MAX_PENDING_JOIN_MS must be >= 0");
        }
    }

    public static BackpressureConfig defaults() {
        return new BackpressureConfig(DEFAULT_MAX_PENDING_MS, DEFAULT_MAX_PENDING_JOIN_MS);
    }
}
