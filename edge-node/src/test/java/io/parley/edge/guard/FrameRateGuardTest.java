/*
 * FrameRateGuardTest owns the proof of the local per-connection frame-rate guard: a burst up to
 * the rate passes, the next frame is refused with the time to wait, and tokens come back.
 */
package io.parley.edge.guard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FrameRateGuardTest {
    private static final long MS = 1_000_000L;

    @Test
    void allowsTheRateThenRefusesWithRetryAfter() {
        long t0 = 1_000_000_000L;
        FrameRateGuard guard = new FrameRateGuard(20, t0);
        for (int i = 0; i < 20; i++) {
            assertThat(guard.tryAcquire(t0)).as("frame %d", i).isZero();
        }
        long retry = guard.tryAcquire(t0);
        assertThat(retry).isBetween(1L, 50L); // one token every 50 ms
        assertThat(guard.tryAcquire(t0 + 49 * MS)).isPositive();
        assertThat(guard.tryAcquire(t0 + 51 * MS)).isZero();
        assertThat(guard.tryAcquire(t0 + 52 * MS)).isPositive();
    }

    @Test
    void refillsUpToTheBurstOnly() {
        long t0 = 0;
        FrameRateGuard guard = new FrameRateGuard(5, t0);
        long later = t0 + 60_000 * MS;
        for (int i = 0; i < 5; i++) {
            assertThat(guard.tryAcquire(later)).isZero();
        }
        assertThat(guard.tryAcquire(later)).isEqualTo(200);
    }
}
