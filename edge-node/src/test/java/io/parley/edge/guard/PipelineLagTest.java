/*
 * PipelineLagTest owns the proof of the edge's backpressure signal: the age of the oldest
 * unanswered command, per connection and over all, refusing only past the bound, with a retry
 * hint, counted; answers, closed connections and the give-up horizon clear it.
 */
package io.parley.edge.guard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineLagTest {
    private static final long T = 1_700_000_000_000L;

    @Test
    void refusesOnlyWhileTheOldestUnansweredCommandIsOlderThanTheBound() {
        PipelineLag lag = new PipelineLag(1_000);
        lag.published("c1", T);
        lag.published("c2", T + 500);
        lag.refresh(T + 900);
        assertThat(lag.oldestAgeMs()).isEqualTo(900);
        assertThat(lag.refuse()).isZero();

        lag.refresh(T + 1_600);
        assertThat(lag.refuse()).isEqualTo(600); // age - bound, at least 250, at most the bound
        assertThat(lag.refused()).isEqualTo(1);

        lag.answered("c1");                      // c2's (500 ms younger) is now the oldest
        lag.refresh(T + 1_600);
        assertThat(lag.oldestAgeMs()).isEqualTo(1_100);
        assertThat(lag.refuse()).isEqualTo(250);
        lag.answered("c2");
        lag.refresh(T + 1_600);
        assertThat(lag.oldestAgeMs()).isZero();
        assertThat(lag.refuse()).isZero();
        assertThat(lag.refused()).isEqualTo(2);
    }

    @Test
    void aClosedConnectionsCommandsNoLongerCount() {
        PipelineLag lag = new PipelineLag(1_000);
        lag.published("c1", T);
        lag.published("c1", T + 10);
        lag.forget("c1");
        lag.refresh(T + 5_000);
        assertThat(lag.refuse()).isZero();
        lag.answered("c1"); // a late answer to a closed connection changes nothing
        lag.refresh(T + 5_000);
        assertThat(lag.oldestAgeMs()).isZero();
    }

    @Test
    void anAnswerNeverComingIsGivenUpAfterTheHorizon() {
        PipelineLag lag = new PipelineLag(1_000);
        lag.published("c1", T);
        lag.refresh(T + 59_000);
        assertThat(lag.refuse()).isPositive();
        lag.refresh(T + 61_000);
        assertThat(lag.refuse()).isZero();
        assertThat(lag.givenUp()).isEqualTo(1);
    }

    @Test
    void boundZeroMeasuresButNeverRefuses() {
        PipelineLag lag = new PipelineLag(0);
        lag.published("c1", T);
        lag.refresh(T + 10_000);
        assertThat(lag.oldestAgeMs()).isEqualTo(10_000);
        assertThat(lag.refuse()).isZero();
    }

    @Test
    void joinsAreJudgedByTheirOwnBoundAndNeverHoldUpSends() {
        PipelineLag lag = new PipelineLag(1_000, 30_000);
        for (int c = 0; c < 100; c++) {
            lag.publishedJoin("c" + c, T); // a cold stack's join burst, unanswered for seconds
        }
        lag.refresh(T + 5_000);
        assertThat(lag.oldestAnyAgeMs()).isEqualTo(5_000);
        assertThat(lag.oldestAgeMs()).isZero(); // no send waiting
        assertThat(lag.refuseJoin()).isZero();
        assertThat(lag.refuse()).isZero();

        lag.published("c0", T + 5_000); // a send behind c0's join
        lag.refresh(T + 6_500);
        assertThat(lag.refuse()).isEqualTo(500); // a real overload of sends is still refused
        assertThat(lag.refuseJoin()).isZero();   // joins still admitted

        lag.refresh(T + 31_000);
        assertThat(lag.refuseJoin()).isEqualTo(1_000); // past the join bound, joins too
        assertThat(lag.refused()).isEqualTo(2);

        for (int c = 0; c < 100; c++) {
            lag.answered("c" + c);
        }
        lag.answered("c0");
        lag.refresh(T + 31_000);
        assertThat(lag.refuse()).isZero();
        assertThat(lag.refuseJoin()).isZero();
    }
}
