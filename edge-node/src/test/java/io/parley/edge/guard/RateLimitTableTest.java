/*
 * RateLimitTableTest owns the proof that processor rate-limit decisions are enforced per user
 * until blockedUntil, replaced by later decisions, and forgotten once expired.
 */
package io.parley.edge.guard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitTableTest {
    private final RateLimitTable table = new RateLimitTable();

    @Test
    void blocksUntilTheDecisionExpires() {
        table.decide("alice", 10_000);
        assertThat(table.retryAfterMs("alice", 9_100)).isEqualTo(900);
        assertThat(table.retryAfterMs("bob", 9_100)).isZero();
        assertThat(table.retryAfterMs("alice", 10_000)).isZero();
        assertThat(table.size()).isZero();
    }

    @Test
    void aLaterDecisionReplacesAnEarlierOne() {
        table.decide("alice", 10_000);
        table.decide("alice", 5_000); // lifted early
        assertThat(table.retryAfterMs("alice", 6_000)).isZero();
        table.decide("alice", 20_000);
        assertThat(table.retryAfterMs("alice", 6_000)).isEqualTo(14_000);
    }

    @Test
    void purgeForgetsExpiredDecisions() {
        table.decide("alice", 1_000);
        table.decide("bob", 5_000);
        table.purge(2_000);
        assertThat(table.size()).isEqualTo(1);
    }
}
