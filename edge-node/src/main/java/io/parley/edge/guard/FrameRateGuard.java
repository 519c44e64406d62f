/*
 * FrameRateGuard owns the local per-connection frame-rate limit (DESIGN.md section 2: "the edge
 * also guards each connection locally"): a token bucket of maxFramesPerSecond tokens, refilled
 * continuously. It protects the node and Kafka from one flooding socket; the per-user message
 * rate across devices is the user processor's job (see RateLimitTable).
 */
package io.parley.edge.guard;

/** Not thread-safe: one instance per connection, used only by that connection's reader thread. */
public final class FrameRateGuard {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long lastRefill;

    public FrameRateGuard(int framesPerSecond, long nowNanos) {
        if (framesPerSecond < 1) {
            throw new IllegalArgumentException("framesPerSecond must be >= 1");
        }
        this.capacity = framesPerSecond;
        this.tokensPerNano = (double) framesPerSecond / NANOS_PER_SECOND;
        this.tokens = framesPerSecond;
        this.lastRefill = nowNanos;
    }

    /**
     * Takes one token for a frame arriving at {@code nowNanos}.
     *
     * @return 0 if the frame may pass, else the milliseconds (>= 1) until the next token
     */
    public long tryAcquire(long nowNanos) {
        long elapsed = nowNanos - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
            lastRefill = nowNanos;
        }
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return 0;
        }
        double missingNanos = (1.0 - tokens) / tokensPerNano;
        return Math.max(1, (long) Math.ceil(missingNanos / 1_000_000.0));
    }
}
