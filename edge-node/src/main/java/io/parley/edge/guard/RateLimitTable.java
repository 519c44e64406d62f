/*
 * RateLimitTable owns the enforcement of the per-user rate limit on this node: the processors'
 * decisions (Delivery.RateLimit(userId, blockedUntil), remembered per user, a later decision
 * replacing an earlier one) and this node's own bucket per user (LocalRateLimit, same limits),
 * whose empty bucket is a decision of the same kind until its next token. While now < blockedUntil
 * that user's send-message is refused locally with RATE_LIMIT_EXCEEDED without being published.
 */
package io.parley.edge.guard;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** Thread-safe: the deliveries thread writes decisions, reader threads check them. */
public final class RateLimitTable {
    private final ConcurrentHashMap<String, Long> blockedUntil = new ConcurrentHashMap<>();
    /** This node's own buckets; null: only the processors' decisions are enforced. */
    private final LocalRateLimit local;

    /** The processors' decisions only. */
    public RateLimitTable() {
        this(null);
    }

    /** The processors' decisions and this node's own bucket per user. */
    public RateLimitTable(LocalRateLimit local) {
        this.local = local;
    }

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

    /**
     * A send of {@code userId} at {@code nowMs}: 0 when it may go (it took a token of this node's
     * bucket), else the milliseconds until the user may send again, from the decision in force or,
     * when this node's bucket is empty, until its next token (then a decision in force here too).
     */
    public long admit(String userId, long nowMs) {
        long retryAfter = retryAfterMs(userId, nowMs);
        if (retryAfter > 0 || local == null) {
            return retryAfter;
        }
        long wait = local.take(userId, nowMs);
        if (wait > 0) {
            // Never shortens a later decision of the processors that arrived meanwhile.
            blockedUntil.merge(userId, nowMs + wait, Math::max);
        }
        return wait;
    }

    /** Forgets expired decisions, and the buckets of users without a connection here or full again (periodically). */
    public void purge(long nowMs, Predicate<String> connected) {
        blockedUntil.entrySet().removeIf(e -> e.getValue() <= nowMs);
        if (local != null) {
            local.purge(nowMs, connected);
        }
    }

    /** Forgets expired decisions (called periodically so the table stays small). */
    public void purge(long nowMs) {
        purge(nowMs, user -> true);
    }

    public int size() {
        return blockedUntil.size();
    }
}
