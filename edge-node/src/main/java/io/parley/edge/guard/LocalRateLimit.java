/*
 * LocalRateLimit owns this edge node's own token bucket per user, with the processors' limits and
 * arithmetic (contracts' TokenBucket, the node's wall clock): a user whose sends all come through
 * this node is refused as soon as this node's bucket is empty, without waiting for the processors'
 * decision, which remains what limits a user across several nodes. Memory is bounded by the users
 * connected here: a user's bucket is dropped once the user has no connection on the node, or once
 * it is full again (a fresh bucket is the same).
 */
package io.parley.edge.guard;

import io.parley.contracts.TokenBucket;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** Thread-safe: reader threads take tokens, the reaper purges. */
public final class LocalRateLimit {
    private record Bucket(long units, long refilledAt) {}

    private final TokenBucket rule;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public LocalRateLimit(int burst, int perMinute) {
        this.rule = new TokenBucket(burst, perMinute);
    }

    /**
     * Takes one token of {@code userId}'s bucket at {@code nowMs}: 0 when taken, else the
     * milliseconds until the bucket holds a token again (nothing taken).
     */
    public long take(String userId, long nowMs) {
        long[] wait = {0};
        buckets.compute(userId, (user, bucket) -> {
            long at = bucket == null ? nowMs : Math.max(bucket.refilledAt(), nowMs);
            long units = bucket == null ? rule.capacity() : rule.refill(bucket.units(), bucket.refilledAt(), at);
            if (units >= TokenBucket.UNITS_PER_TOKEN) {
                return new Bucket(units - TokenBucket.UNITS_PER_TOKEN, at);
            }
            wait[0] = Math.max(1, rule.nextTokenAt(units, at) - nowMs);
            return new Bucket(units, at);
        });
        return wait[0];
    }

    /** Drops the buckets of users with no connection here ({@code connected} false) and the full ones. */
    public void purge(long nowMs, Predicate<String> connected) {
        buckets.entrySet().removeIf(e -> !connected.test(e.getKey())
                || rule.refill(e.getValue().units(), e.getValue().refilledAt(), nowMs) >= rule.capacity());
    }

    /** Users with a bucket here. */
    public int size() {
        return buckets.size();
    }
}
