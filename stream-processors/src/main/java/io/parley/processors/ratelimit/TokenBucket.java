/*
 * TokenBucket owns the arithmetic of the per-user rate limit: a bucket of `burst` tokens refilled
 * continuously at maxMessagesPerMinute per minute, in exact integer units (one token = 60,000
 * units, so the refill is maxMessagesPerMinute units per millisecond) so decisions are
 * deterministic and replayable. The clock is the events' own timestamps.
 */
package io.parley.processors.ratelimit;

/** Token bucket rules; stateless (the state is {@link UserState}'s tokens and refilledAt). */
public record TokenBucket(int burst, int perMinute) {
    /** Units of one token: the refill per millisecond is then {@code perMinute} units, exactly. */
    static final long UNITS_PER_TOKEN = 60_000L;

    public TokenBucket {
        if (burst < 1 || perMinute < 1) {
            throw new IllegalArgumentException("burst and perMinute must be at least 1");
        }
    }

    long capacity() {
        return burst * UNITS_PER_TOKEN;
    }

    /** The units in the bucket at {@code now}, from {@code units} at {@code since} (never more than the capacity). */
    long refill(long units, long since, long now) {
        if (now <= since || units >= capacity()) {
            return Math.min(units, capacity());
        }
        long missing = capacity() - units;
        long elapsed = now - since;
        // Compare before multiplying: elapsed * perMinute may overflow for long gaps.
        return elapsed >= Math.ceilDiv(missing, perMinute) ? capacity() : units + elapsed * perMinute;
    }

    /** When a bucket holding {@code units} (less than one token) at {@code at} holds one token again. */
    long nextTokenAt(long units, long at) {
        return at + Math.ceilDiv(UNITS_PER_TOKEN - units, perMinute);
    }
}
