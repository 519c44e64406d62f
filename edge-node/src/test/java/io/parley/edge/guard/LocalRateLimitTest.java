/*
 * LocalRateLimitTest owns the proof of the edge's own bucket per user: the burst, then a refusal
 * that says when the next token is due, the refill at the processors' rate, users apart, and
 * memory kept only for connected users whose bucket is not full.
 */
package io.parley.edge.guard;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRateLimitTest {
    private static final long T0 = 1_700_000_000_000L;
    // Burst 3, one token per second.
    private final LocalRateLimit limit = new LocalRateLimit(3, 60);

    @Test
    void theBurstThenARefusalUntilTheNextTokenThenOneMore() {
        assertThat(limit.take("alice", T0)).isZero();
        assertThat(limit.take("alice", T0 + 10)).isZero();
        assertThat(limit.take("alice", T0 + 20)).isZero();
        // Empty: the token taken first is back one second after it was taken (continuous refill).
        assertThat(limit.take("alice", T0 + 30)).isEqualTo(970);
        assertThat(limit.take("alice", T0 + 999)).isEqualTo(1);
        assertThat(limit.take("bob", T0 + 999)).as("another user").isZero();
        assertThat(limit.take("alice", T0 + 1_000)).isZero();
        assertThat(limit.take("alice", T0 + 1_001)).isEqualTo(999);
        // After a quiet while the whole burst is back, and no more.
        for (int i = 0; i < 3; i++) {
            assertThat(limit.take("alice", T0 + 60_000)).isZero();
        }
        assertThat(limit.take("alice", T0 + 60_000)).isPositive();
    }

    @Test
    void aClockThatGoesBackRefillsNothing() {
        for (int i = 0; i < 3; i++) {
            limit.take("alice", T0);
        }
        assertThat(limit.take("alice", T0 - 5_000)).isPositive();
    }

    @Test
    void purgeDropsTheBucketsOfUsersNotConnectedHereAndTheFullOnes() {
        limit.take("alice", T0);
        limit.take("bob", T0);
        limit.take("carol", T0);
        limit.purge(T0 + 10, Set.of("alice", "bob")::contains);
        assertThat(limit.size()).isEqualTo(2); // carol is gone from this node
        limit.take("alice", T0 + 500);
        limit.purge(T0 + 1_000, user -> true); // bob's bucket is full again, alice's not yet
        assertThat(limit.size()).isEqualTo(1);
        // A dropped full bucket is the same as the one kept: bob still has his burst.
        for (int i = 0; i < 3; i++) {
            assertThat(limit.take("bob", T0 + 1_000)).isZero();
        }
        assertThat(limit.take("bob", T0 + 1_000)).isPositive();
    }
}
