/*
 * TokenBucket owns the arithmetic of the per-user rate limit, shared by the processors' rate-limit
 * stage (across a user's nodes) and the edge's local bucket (one node): a bucket of `burst` tokens refilled
 * continuously at maxMessagesPerMinute per minute, in exact integer units (one token = 60,000
 * units, so the refill is maxMessagesPerMinute units per millisecond) so decisions are
 * deterministic and replayable. The clock is the caller's (the processors: the events' own
 * timestamps; the edge: its wall clock).
 */
package io.parley.contracts;

/** Token bucket rules; stateless (the caller keeps the units and the time of the last refill). */
public record TokenBucket(int burst, int perMinute) {
    /** Units of one token: the refill per millisecond is then {@code perMinute} units, exactly. */
    public static final long UNITS_PER_TOKEN = 60_000L;

    public TokenBucket {
        if (burst < 1 || perMinute < 1) {
            throw new IllegalArgumentException("burst and perMinute must be at least 1");
        }
    }

    public long capacity() {
        return burst * UNITS_PER_TOKEN;
    }

    /**
     * The units in the bucket at {@code now}, from {@code units} (may be below zero) at {@code since}
     * (never more than the capacity).
     */
    public long refill(long units, long since, long now) {
        if (now <= since || units >= capacity()) {
            return Math.min(units, capacity());
        }
        long missing = capacity() - units;
        long elapsed = now - since;
        // Compare before multiplying: elapsed * perMinute may overflow for long gaps.
        return elapsed >= Math.ceilDiv(missing, perMinute) ? capacity() : units + elapsed * perMinute;
    }

    /**
     * When a bucket holding {@code units} (less than one token; below zero: a debt) at {@code at}
     * holds one token again.
     */
    public long nextTokenAt(long units, long at) {
        return at + Math.ceilDiv(UNITS_PER_TOKEN - units, perMinute);
    }
}
