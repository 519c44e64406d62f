/*
 * RateLimitTable owns the enforcement of the user processor's rate-limit decisions on this node:
 * Delivery.RateLimit(userId, blockedUntil) is remembered per user (a later decision replaces an
 * earlier one) and, while now < blockedUntil, that user's send-message is refused locally with
 * RATE_LIMIT_EXCEEDED without being published.
 */
package io.parley.edge.guard;

import java.util.concurrent.ConcurrentHashMap;

/** Thread-safe: the deliveries thread writes decisions, reader threads check them. */
public final class RateLimitTable {
    private final ConcurrentHashMap<String, Long> blockedUntil = new ConcurrentHashMap<>();

    /** Records a decision; a block in the past lifts any earlier block. */
    public void decide(String userId, long blockedUntilMs) {
        if (userId == null) {
            return;
        }
        blockedUntil.put(userId, blockedUntilMs);
    }

    /** Milliseconds until {@code userId} may send again; 0 if not blocked at {@code nowMs}. */
    public long retryAfterMs(String userId, long nowMs) {
        Long until = blockedUntil.get(userId);
        if (until == null) {
            return 0;
        }
        if (nowMs >= until) {
            blockedUntil.remove(userId, until);
            return 0;
        }
        return until - nowMs;
    }

    /** Forgets expired decisions (called periodically so the table stays small). */
    public void purge(long nowMs) {
        blockedUntil.entrySet().removeIf(e -> e.getValue() <= nowMs);
    }

    public int size() {
        return blockedUntil.size();
    }
}
