/*
 * RateLimitConfig owns the edge's settings of the per-user message rate limit (io.parley.edge.guard),
 * read from the environment with documented defaults: the same limits as the processors' stage,
 * and the window over which a user's message attempts are aggregated into one user-events record.
 */
package io.parley.edge.guard;

import java.util.Map;
import java.util.function.BiFunction;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_MAX_MESSAGES_PER_MINUTE</td><td>60</td><td>a user's token refill per minute; set the same value
 * on edges and processors</td></tr>
 * <tr><td>PARLEY_RATE_BURST</td><td>10</td><td>a user's bucket capacity; same on edges and processors</td></tr>
 * <tr><td>PARLEY_EDGE_ATTEMPT_WINDOW_MS</td><td>5000</td><td>a user's message attempts on this node go to
 * user-events as at most one record per window (the first after a quiet window at once, the others counted
 * and sent as one record when the window ends); 0 = one record per send</td></tr>
 * </table>
 */
public record RateLimitConfig(int maxMessagesPerMinute, int rateBurst, long attemptWindowMs) {
    public static final int DEFAULT_MAX_MESSAGES_PER_MINUTE = 60;
    public static final int DEFAULT_RATE_BURST = 10;
    public static final long DEFAULT_ATTEMPT_WINDOW_MS = 5_000;

    public RateLimitConfig {
        if (maxMessagesPerMinute < 1) {
            throw new IllegalArgumentException("PARLEY_MAX_MESSAGES_PER_MINUTE must be at least 1, was " + maxMessagesPerMinute);
        }
        if (rateBurst < 1) {
            throw new IllegalArgumentException("PARLEY_RATE_BURST must be at least 1, was " + rateBurst);
        }
        if (attemptWindowMs < 0) {
            throw new IllegalArgumentException("PARLEY_EDGE_ATTEMPT_WINDOW_MS must be >= 0, was " + attemptWindowMs);
        }
    }

    public static RateLimitConfig defaults() {
        return new RateLimitConfig(DEFAULT_MAX_MESSAGES_PER_MINUTE, DEFAULT_RATE_BURST, DEFAULT_ATTEMPT_WINDOW_MS);
    }

    public static RateLimitConfig fromEnv(Map<String, String> env, BiFunction<String, Long, Long> longOf) {
        return new RateLimitConfig(
                Math.toIntExact(longOf.apply("PARLEY_MAX_MESSAGES_PER_MINUTE", (long) DEFAULT_MAX_MESSAGES_PER_MINUTE)),
                Math.toIntExact(longOf.apply("PARLEY_RATE_BURST", (long) DEFAULT_RATE_BURST)),
                longOf.apply("PARLEY_EDGE_ATTEMPT_WINDOW_MS", DEFAULT_ATTEMPT_WINDOW_MS));
    }
}
