/*
 * SeqTrackerTest owns the proof of (room, seq) de-duplication at the edge, and its bound.
 */
package io.parley.edge.delivery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeqTrackerTest {

    @Test
    void acceptsOnlyNewerSeqPerRoom() {
        SeqTracker seqs = new SeqTracker(100);
        assertThat(seqs.advance("r1", 1)).isTrue();
        assertThat(seqs.advance("r1", 2)).isTrue();
        assertThat(seqs.advance("r1", 2)).isFalse();
        assertThat(seqs.advance("r1", 1)).isFalse();
        assertThat(seqs.advance("r2", 1)).isTrue();
        assertThat(seqs.advance("r1", 5)).isTrue(); // gaps are fine (events for other nodes' sockets)
        assertThat(seqs.advance("r1", 4)).isFalse();
    }

    @Test
    void isBounded() {
        SeqTracker seqs = new SeqTracker(2);
        seqs.advance("r1", 1);
        seqs.advance("r2", 1);
        seqs.advance("r3", 1);
        assertThat(seqs.size()).isEqualTo(2);
    }

    @Test
    void theLeastRecentlyDeliveredRoomIsForgottenFirst() {
        SeqTracker seqs = new SeqTracker(2);
        seqs.advance("r1", 1);
        seqs.advance("r2", 1);
        assertThat(seqs.advance("r1", 2)).isTrue(); // r1 is now the most recent
        assertThat(seqs.advance("r1", 2)).isFalse(); // a repeat refreshes it too
        seqs.advance("r3", 1); // over the bound: r2 goes
        assertThat(seqs.advance("r1", 2)).isFalse(); // still remembered
        assertThat(seqs.advance("r2", 1)).isTrue(); // forgotten: its next seq is new
    }
}
