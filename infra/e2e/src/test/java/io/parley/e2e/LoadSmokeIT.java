/*
 * LoadSmokeIT owns the short load smoke that runs in every `mvn verify` (so in CI): a few hundred
 * native clients over both edge nodes of the real stack, sending on the load generator's fixed
 * schedule for 20 s. It fails on any loss, duplicate, out-of-order delivery, refusal or failed
 * connection, never on latency (the figures are printed, not judged: benchmarks judge them on a
 * quiet machine, docs/benchmarks.md).
 */
package io.parley.e2e;

import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.loadgen.Client;
import io.parley.loadgen.LoadGenerator;
import io.parley.loadgen.Tally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class LoadSmokeIT {
    static final int CLIENTS = 300;
    static final int ROOMS = 30;
    /** Messages per second per client: 75 msg/s, 750 deliveries/s in all (well under the per-user rate limit). */
    static final double RATE = 0.25;
    static final Duration DURATION = Duration.ofSeconds(20);
    /** How long the drain may wait for the last answers and deliveries (a deadline, not a latency bound). */
    static final Duration DRAIN = Duration.ofSeconds(30);

    @Test
    void aFewHundredClientsFor20SecondsLoseDuplicateReorderAndRefuseNothing(ParleyCluster parley) throws Exception {
        List<String> urls = List.of(parley.services.edgeUrl(0), parley.services.edgeUrl(1));
        String tag = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36);
        LoadGenerator.Settings settings = new LoadGenerator.Settings(Client.Kind.PARLEY, urls, ParleyCluster.SECRET,
                CLIENTS, ROOMS, 4, 50, Duration.ofSeconds(30), tag, "parley", "parley");
        long began = System.nanoTime();
        try (LoadGenerator generator = new LoadGenerator(settings)) {
            LoadGenerator.ConnectResult connect = generator.connect();
            assertThat(connect.failed()).as("failed connections, first: %s", connect.firstFailure()).isZero();
            assertThat(connect.opened()).isEqualTo(CLIENTS);

            LoadGenerator.PhaseResult result = generator.runPhase(0, RATE, DURATION, DRAIN, null);
            Tally.Phase phase = result.phase();
            System.out.printf("[load-smoke] %d clients, %d rooms, %.2f msg/s each for %d s: sent %d, acked %d, refused %d %s,"
                            + " deliveries expected %d, received %d, duplicated %d, out of order %d, unexpected %d;"
                            + " e2e p50 %.1f ms, p99 %.1f ms (printed, not judged); %d s in all%n",
                    CLIENTS, ROOMS, RATE, DURATION.toSeconds(), phase.sent(), phase.acked(), phase.rejected(), phase.errors(),
                    phase.expected(), phase.received(), phase.duplicated(), phase.outOfOrder(), phase.unexpected(),
                    result.e2eMicros().getValueAtPercentile(50) / 1000.0, result.e2eMicros().getValueAtPercentile(99) / 1000.0,
                    Duration.ofNanos(System.nanoTime() - began).toSeconds());

            assertThat(phase.sent()).isEqualTo((long) (RATE * CLIENTS * DURATION.toSeconds()));
            assertThat(phase.rejected()).as("refusals %s", phase.errors()).isZero();
            assertThat(phase.acked()).isEqualTo(phase.sent());
            assertThat(phase.expected()).isEqualTo(phase.sent() * (CLIENTS / ROOMS));
            assertThat(phase.lost()).as("lost deliveries").isZero();
            assertThat(phase.received()).isEqualTo(phase.expected());
            assertThat(phase.duplicated()).as("duplicated deliveries").isZero();
            assertThat(phase.outOfOrder()).as("deliveries out of order").isZero();
            assertThat(phase.unexpected()).as("deliveries of no message of this run").isZero();
            assertThat(result.dropped()).as("connections the server closed or lost").isZero();
        }
    }
}
