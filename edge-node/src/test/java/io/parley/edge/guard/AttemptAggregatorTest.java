/*
 * AttemptAggregatorTest owns the proof of how message attempts go to user-events: the first of a
 * user after a quiet window at once, the following ones of the window counted into one record
 * when the window ends (or when a connection of the user closes), window 0 one record per send,
 * and past the bound of users an attempt on its own.
 */
package io.parley.edge.guard;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AttemptAggregatorTest {
    private static final long T0 = 1_700_000_000_000L;

    private record Sent(String userId, String connectionId, long timestamp, String roomId, int count) {}

    private final List<Sent> sent = new ArrayList<>();
    private final AttemptAggregator aggregator = aggregator(2_000, 100);

    /** An aggregator of {@code windowMs} over at most {@code maxUsers} users that records what it sends in {@link #sent}. */
    private AttemptAggregator aggregator(long windowMs, int maxUsers) {
        return new AttemptAggregator(windowMs, maxUsers,
                (user, connection, timestamp, room, count) -> sent.add(new Sent(user, connection, timestamp, room, count)));
    }

    @Test
    void theFirstAttemptGoesOutAtOnceTheRestOfTheWindowAsOneRecordWhenItEnds() {
        aggregator.attempt("alice", "c1", "r1", T0);
        assertThat(sent).containsExactly(new Sent("alice", "c1", T0, "r1", 1));

        aggregator.attempt("alice", "c1", "r1", T0 + 100);
        aggregator.attempt("alice", "c2", "r2", T0 + 700);
        aggregator.attempt("bob", "c3", "r1", T0 + 800); // another user: a window of his own
        aggregator.flushDue(T0 + 1_999);
        assertThat(sent).containsExactly(new Sent("alice", "c1", T0, "r1", 1), new Sent("bob", "c3", T0 + 800, "r1", 1));

        // The window ends: its two attempts in one record (the last room, connection and time).
        aggregator.flushDue(T0 + 2_000);
        assertThat(sent).hasSize(3).last().isEqualTo(new Sent("alice", "c2", T0 + 700, "r2", 2));

        // That record starts the next window: an attempt in it is counted, not sent.
        aggregator.attempt("alice", "c1", "r1", T0 + 2_500);
        assertThat(sent).hasSize(3);
        aggregator.flushDue(T0 + 4_000);
        assertThat(sent).hasSize(4).last().isEqualTo(new Sent("alice", "c1", T0 + 2_500, "r1", 1));
    }

    @Test
    void aWindowWithoutAttemptsEndsAndTheNextAttemptGoesOutAtOnce() {
        aggregator.attempt("alice", "c1", "r1", T0);
        aggregator.flushDue(T0 + 2_000);
        assertThat(sent).hasSize(1);
        assertThat(aggregator.size()).isZero();

        aggregator.attempt("alice", "c1", "r1", T0 + 5_000);
        assertThat(sent).hasSize(2).last().isEqualTo(new Sent("alice", "c1", T0 + 5_000, "r1", 1));
    }

    @Test
    void anAttemptAfterTheWindowEndedButBeforeTheTimerIsCountedIntoItsRecord() {
        aggregator.attempt("alice", "c1", "r1", T0);
        aggregator.attempt("alice", "c1", "r1", T0 + 1_000);
        aggregator.attempt("alice", "c1", "r1", T0 + 2_050); // the timer is late: still the open window's
        aggregator.flushDue(T0 + 2_100);
        assertThat(sent).containsExactly(new Sent("alice", "c1", T0, "r1", 1), new Sent("alice", "c1", T0 + 2_050, "r1", 2));
    }

    @Test
    void aClosingConnectionFlushesTheUsersPendingAttempts() {
        aggregator.attempt("alice", "c1", "r1", T0);
        aggregator.attempt("alice", "c1", "r1", T0 + 10);
        aggregator.attempt("alice", "c1", "r1", T0 + 20);
        aggregator.flush("alice");
        assertThat(sent).containsExactly(new Sent("alice", "c1", T0, "r1", 1), new Sent("alice", "c1", T0 + 20, "r1", 2));

        // Nothing pending: nothing more, now or when the window ends.
        aggregator.flush("alice");
        aggregator.flush("nobody");
        aggregator.flushDue(T0 + 2_000);
        assertThat(sent).hasSize(2);
        assertThat(aggregator.size()).isZero();
    }

    @Test
    void windowZeroSendsOneRecordPerAttempt() {
        AttemptAggregator perSend = aggregator(0, 100);
        perSend.attempt("alice", "c1", "r1", T0);
        perSend.attempt("alice", "c1", "r2", T0);
        perSend.attempt("alice", "c1", "r3", T0 + 1);
        assertThat(sent).containsExactly(new Sent("alice", "c1", T0, "r1", 1), new Sent("alice", "c1", T0, "r2", 1),
                new Sent("alice", "c1", T0 + 1, "r3", 1));
        assertThat(perSend.size()).isZero();
    }

    @Test
    void pastTheBoundOfUsersAnAttemptGoesOutOnItsOwn() {
        AttemptAggregator small = aggregator(2_000, 2);
        small.attempt("alice", "c1", "r1", T0);
        small.attempt("bob", "c2", "r1", T0);
        small.attempt("carol", "c3", "r1", T0);
        small.attempt("carol", "c3", "r1", T0 + 1); // no window for carol: sent, not lost
        assertThat(small.size()).isEqualTo(2);
        assertThat(sent).extracting(Sent::userId).containsExactly("alice", "bob", "carol", "carol");
        small.attempt("alice", "c1", "r1", T0 + 2); // alice's window counts as before
        assertThat(sent).hasSize(4);
    }
}
