/*
 * TallyTest owns the unit checks of the receiver-side counting: duplicates, reordering, losses,
 * foreign and stale messages, refused sends.
 */
package io.parley.loadgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TallyTest {
    @Test
    void countsFromTheReceiversPointOfView() {
        Tally tally = new Tally("run1", 0);
        Tally.Receiver a = tally.receiver();
        Tally.Receiver b = tally.receiver();
        a.joined("r", 10);
        b.joined("r", 12);
        for (int i = 0; i < 4; i++) {
            tally.sent(0, 2);
        }
        String id = tally.messageId(0, 1, 1_000_000);
        a.delivered("r", 13, id, 2_000_000);
        a.delivered("r", 15, id, 2_000_000);
        a.delivered("r", 14, id, 2_000_000); // below the highest seen: out of order
        a.delivered("r", 15, id, 2_000_000); // seen: duplicate
        a.delivered("r", 16, id, 2_000_000);
        b.delivered("r", 13, id, 2_000_000);
        b.delivered("r", 16, id, 2_000_000); // b never gets 14 and 15: two lost
        b.delivered("r", 12, id, 2_000_000); // at or below its join: unexpected
        b.delivered("r", 17, "other.0.1.5", 2_000_000); // another run's message: ignored
        Tally.Phase p = tally.phase(0);
        assertThat(p.expected()).isEqualTo(8);
        assertThat(p.received()).isEqualTo(6);
        assertThat(p.lost()).isEqualTo(2);
        assertThat(p.duplicated()).isEqualTo(1);
        assertThat(p.outOfOrder()).isEqualTo(1);
        assertThat(p.unexpected()).isEqualTo(1);
        assertThat(p.e2eMicros().getMaxValue()).isBetween(990L, 1010L);
    }

    @Test
    void refusedSendsAreNotExpected() {
        Tally tally = new Tally("run2", 0);
        tally.sent(0, 10);
        tally.sent(0, 10);
        tally.replied(tally.messageId(0, 0, 0), true, null, 10, 5_000);
        tally.replied(tally.messageId(0, 1, 0), false, "RATE_LIMIT_EXCEEDED", 10, 5_000);
        tally.replied("not-ours", true, null, 10, 5_000);
        Tally.Phase p = tally.phase(0);
        assertThat(p.acked()).isEqualTo(1);
        assertThat(p.rejected()).isEqualTo(1);
        assertThat(p.expected()).isEqualTo(10);
        assertThat(p.errors()).containsEntry("RATE_LIMIT_EXCEEDED", 1L);
        assertThat(p.ackMicros().getMaxValue()).isBetween(4L, 6L);
    }

    @Test
    void aRefusalThatMustSayWhenToRetryIsMarkedWhenItDoesNot() {
        assertThat(Tally.refusal("UNAVAILABLE", true)).isEqualTo("UNAVAILABLE");
        assertThat(Tally.refusal("UNAVAILABLE", false)).isEqualTo("UNAVAILABLE (no retryAfterMs)");
        assertThat(Tally.refusal("RATE_LIMIT_EXCEEDED", false)).isEqualTo("RATE_LIMIT_EXCEEDED (no retryAfterMs)");
        assertThat(Tally.refusal("AUTHORIZATION_FAILED", false)).isEqualTo("AUTHORIZATION_FAILED");
        assertThat(Tally.refusal(null, false)).isNull();
    }
}
