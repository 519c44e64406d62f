/*
 * FaultyTargetTest owns the proof that the load generator's counting is right: against a server
 * that drops, duplicates, reorders and refuses on purpose (FaultyTarget), the load generator must
 * report exactly the faults the server injected, over both protocols it speaks.
 */
package io.parley.loadgen;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FaultyTargetTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @ParameterizedTest
    @EnumSource(Client.Kind.class)
    void detectsInjectedLossDuplicatesAndReordering(Client.Kind kind) throws Exception {
        try (FaultyTarget target = new FaultyTarget(kind == Client.Kind.SOCKETIO);
             LoadGenerator generator = new LoadGenerator(new LoadGenerator.Settings(kind, List.of(target.url()),
                     SECRET, 20, 4, 2, 10, Duration.ofSeconds(10), "t" + kind.ordinal(), "parley", "parley"))) {
            LoadGenerator.ConnectResult connect = generator.connect();
            assertThat(connect.opened()).isEqualTo(20);
            assertThat(connect.failed()).isZero();

            // 20 clients x 10 msg/s x 2 s = 400 sends; 5 members per room: ~100 deliveries per receiver.
            LoadGenerator.PhaseResult result = generator.runPhase(0, 10, Duration.ofSeconds(2), Duration.ofSeconds(2), null);
            Tally.Phase phase = result.phase();

            assertThat(phase.sent()).isEqualTo(400);
            assertThat(phase.rejected()).isEqualTo(target.refused.get()).isEqualTo(10);
            assertThat(phase.acked()).isEqualTo(target.accepted.get()).isEqualTo(390);
            assertThat(phase.errors()).containsEntry("RATE_LIMIT_EXCEEDED", 10L);
            assertThat(phase.expected()).isEqualTo(390 * 5);

            assertThat(target.dropped.get()).isPositive();
            assertThat(target.duplicated.get()).isPositive();
            assertThat(target.reordered.get()).isPositive();
            assertThat(phase.lost()).isEqualTo(target.dropped.get() + target.stillHeld());
            assertThat(phase.duplicated()).isEqualTo(target.duplicated.get());
            assertThat(phase.outOfOrder()).isEqualTo(target.reordered.get());
            assertThat(phase.received()).isEqualTo(phase.expected() - phase.lost());
            assertThat(phase.unexpected()).isZero();
            assertThat(result.e2eMicros().getTotalCount()).isEqualTo(phase.received());
            assertThat(result.ackMicros().getTotalCount()).isEqualTo(phase.acked());
            assertThat(result.dropped()).isZero();
        }
    }
}
