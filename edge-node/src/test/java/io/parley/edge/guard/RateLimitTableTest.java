/*
 * RateLimitTableTest owns the proof that processor rate-limit decisions are enforced per user
 * until blockedUntil, replaced by later decisions, and forgotten once expired; and that this
 * node's own bucket refuses a user at once, as a decision of the same kind.
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

    @Test
    void anEmptyLocalBucketRefusesAtOnceUntilItsNextTokenAsADecisionInForce() {
        RateLimitTable withBucket = new RateLimitTable(new LocalRateLimit(2, 60));
        assertThat(withBucket.admit("alice", 10_000)).isZero();
        assertThat(withBucket.admit("alice", 10_000)).isZero();
        assertThat(withBucket.admit("alice", 10_100)).isEqualTo(900);
        assertThat(withBucket.retryAfterMs("alice", 10_500)).as("in force like a processors' decision").isEqualTo(500);
        assertThat(withBucket.admit("bob", 10_100)).isZero();
        assertThat(withBucket.admit("alice", 11_000)).isZero(); // the next token
    }

    @Test
    void aProcessorsDecisionRefusesEvenWithTokensLeftAndIsNotShortenedByTheLocalOne() {
        RateLimitTable withBucket = new RateLimitTable(new LocalRateLimit(2, 60));
        withBucket.decide("alice", 15_000); // the user's sends on other nodes emptied the shared bucket
        assertThat(withBucket.admit("alice", 10_000)).isEqualTo(5_000);
        assertThat(withBucket.admit("alice", 15_000)).isZero();
        assertThat(withBucket.admit("alice", 15_000)).isZero();
        withBucket.decide("alice", 30_000);
        assertThat(withBucket.admit("alice", 15_000)).isEqualTo(15_000);
    }

    @Test
    void withoutALocalBucketOnlyDecisionsRefuse() {
        for (int i = 0; i < 100; i++) {
            assertThat(table.admit("alice", 10_000)).isZero();
        }
    }
}
