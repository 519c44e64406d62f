/*
 * ChaosIT owns issue 13's chaos test: on a stack of its own (its own Kafka, Cassandra and Redis,
 * loopback only, every wait bounded), a few hundred load-generator clients over both edge nodes
 * send on a fixed schedule and resume on their own (LoadGenerator.resuming: a dropped socket is
 * opened again to the next node, each room joined again from its last seq, unacked sends sent again
 * with their clientMsgId), while, one after the other, mid-run: an edge node is SIGKILLed and
 * restarted, the processors are SIGKILLed and restarted, the history store is SIGKILLed and
 * restarted, Kafka is restarted and Cassandra is restarted. Then the load generator's accounting
 * must say: every send answered, lost 0, duplicated 0, out of order 0, nothing unexpected; that is,
 * every acked message reached every member exactly once and in order, across reconnects. Refusals
 * (UNAVAILABLE with retryAfterMs while the pipeline is down) are allowed and counted: a refused send
 * was not accepted, so nothing is owed for it.
 */
package io.parley.e2e;

import io.parley.infra.stack.LocalStack;
import io.parley.infra.stack.ParleyServices;
import io.parley.infra.stack.ServicesConfig;
import io.parley.infra.stack.StackConfig;
import io.parley.infra.testkit.TestStack;
import io.parley.loadgen.Client;
import io.parley.loadgen.LoadGenerator;
import io.parley.loadgen.Tally;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ChaosIT {
    static final int CLIENTS = 200;
    static final int ROOMS = 20;
    /** Messages per second per client: 40 msg/s, 400 deliveries/s in all. */
    static final double RATE = 0.2;
    /** Long enough for every fault and its recovery to fall inside the sending. */
    static final Duration DURATION = Duration.ofSeconds(420);
    /** How long the drain may wait for the last answers and deliveries (a deadline). */
    static final Duration DRAIN = Duration.ofSeconds(120);
    /** Sends acked between two faults: the load flows again (and the previous fault healed) before the next. */
    static final long CALM_ACKS = 400;

    @Test
    void underLoadEveryCrashAndRestartLosesDuplicatesAndReordersNothing() throws Exception {
        Path dataDir = Files.createTempDirectory("parley-chaos-");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("PARLEY_KAFKA_BOOTSTRAP");
        env.remove("PARLEY_CASSANDRA_CONTACT_POINTS");
        env.remove("PARLEY_REDIS_URL");
        env.put("PARLEY_TOPIC_NAMESPACE", TestStack.uniqueName("c") + ".");
        env.put("PARLEY_CASSANDRA_KEYSPACE", TestStack.uniqueName("kc"));
        StackConfig stackConfig = StackConfig.forTests(env, dataDir);
        try (LocalStack stack = LocalStack.start(stackConfig, line -> System.out.println("[chaos-stack] " + line))) {
            ParleyServices.Target target = new ParleyServices.Target(stack.kafkaBootstrap(), stack.cassandraContactPointsText(),
                    stackConfig.localDatacenter(), stack.redisUrl(), stackConfig.topicNamespace(), stackConfig.keyspace(),
                    stackConfig);
            ServicesConfig config = ServicesConfig.forTests(2, ParleyCluster.SECRET, Map.of(
                    "PARLEY_MAX_MESSAGES_PER_MINUTE", "600",
                    "PARLEY_RATE_BURST", "600",
                    "PARLEY_EDGE_LEASE_MS", "5000",
                    "PARLEY_LEASE_TICK_MS", "250",
                    // A resume waits for the history store to catch up this long before it ends truncated:
                    // longer than the Cassandra restart here (~40 s on a loaded machine; the default is 30 s).
                    "PARLEY_RESUME_WAIT_MS", "120000"));
            try (ParleyServices services = ParleyServices.start(target, config, line -> System.out.println("[chaos] " + line))) {
                List<String> urls = List.of(services.edgeUrl(0), services.edgeUrl(1));
                String tag = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36);
                LoadGenerator.Settings settings = new LoadGenerator.Settings(Client.Kind.PARLEY, urls, ParleyCluster.SECRET,
                        CLIENTS, ROOMS, 4, 50, Duration.ofSeconds(30), tag, "parley", "parley");
                try (LoadGenerator generator = new LoadGenerator(settings).resuming(true)) {
                    LoadGenerator.ConnectResult connect = generator.connect();
                    assertThat(connect.failed()).as("failed connections, first: %s", connect.firstFailure()).isZero();
                    CompletableFuture<LoadGenerator.PhaseResult> run = new CompletableFuture<>();
                    Thread.ofPlatform().daemon().name("chaos-load").start(() -> {
                        try {
                            run.complete(generator.runPhase(0, RATE, DURATION, DRAIN, null));
                        } catch (Throwable e) {
                            run.completeExceptionally(e);
                        }
                    });
                    long began = System.nanoTime();
                    fault(generator, "SIGKILL edge-1, restart", () -> {
                        services.killEdge(0);
                        services.restartEdge(0);
                    });
                    fault(generator, "SIGKILL processors, restart", () -> {
                        services.processors().kill();
                        services.restartProcessors();
                    });
                    fault(generator, "SIGKILL history store, restart", () -> {
                        services.history().kill();
                        services.restartHistory();
                    });
                    fault(generator, "restart Kafka", () -> {
                        stack.stopKafka();
                        stack.startKafka();
                    });
                    fault(generator, "restart Cassandra", () -> {
                        stack.stopCassandra();
                        stack.startCassandra();
                    });
                    double faultsSeconds = (System.nanoTime() - began) / 1e9;
                    assertThat(run).as("every fault fell inside the sending (%.0f s)", faultsSeconds).isNotDone();
                    LoadGenerator.PhaseResult result = run.get(DURATION.toSeconds() + DRAIN.toSeconds() + 60, TimeUnit.SECONDS);
                    Tally.Phase phase = result.phase();
                    System.out.printf("[chaos] faults over %.0f s; sent %d, acked %d, refused %d %s, unanswered %d;"
                                    + " deliveries expected %d, received %d, lost %d, duplicated %d, out of order %d, unexpected %d;"
                                    + " reconnects %d, truncated recoveries %d, refused resumes %d, dropped sockets %d%n",
                            faultsSeconds, phase.sent(), phase.acked(), phase.rejected(), phase.errors(), generator.unanswered(),
                            phase.expected(), phase.received(), phase.lost(), phase.duplicated(), phase.outOfOrder(),
                            phase.unexpected(), LoadGenerator.reconnects(), LoadGenerator.truncatedRecoveries(),
                            LoadGenerator.refusedResumes(), result.dropped());

                    assertThat(phase.acked() + phase.rejected()).as("every send answered").isEqualTo(phase.sent());
                    assertThat(phase.lost()).as("lost deliveries").isZero();
                    assertThat(phase.received()).isEqualTo(phase.expected());
                    assertThat(phase.duplicated()).as("duplicated deliveries").isZero();
                    assertThat(phase.outOfOrder()).as("deliveries out of order").isZero();
                    assertThat(phase.unexpected()).as("deliveries of no message of this run").isZero();
                    assertThat(LoadGenerator.truncatedRecoveries()).as("truncated recoveries").isZero();
                    assertThat(LoadGenerator.refusedResumes()).as("refused resumes").isZero();
                    assertThat(LoadGenerator.reconnects()).as("the clients did reconnect").isPositive();
                    assertThat(phase.errors().keySet()).as("refusals are UNAVAILABLE with retryAfterMs only")
                            .allMatch("UNAVAILABLE"::equals);
                }
            }
        }
    }

    /** Load (until {@link #CALM_ACKS} more sends are acked), then the fault (it returns once the broken part is healthy again). */
    private static void fault(LoadGenerator generator, String what, Runnable fault) {
        Tally.Phase phase = generator.phaseOf(0);
        long before = phase.acked();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> phase.acked() >= before + CALM_ACKS);
        long at = System.nanoTime();
        System.out.println("[chaos] " + what);
        fault.run();
        System.out.printf("[chaos] %s: healthy again after %.1f s; so far sent %d, acked %d, refused %d, received %d of %d,"
                        + " duplicated %d, out of order %d; reconnects %d%n", what, (System.nanoTime() - at) / 1e9,
                phase.sent(), phase.acked(), phase.rejected(), phase.received(), phase.expected(), phase.duplicated(),
                phase.outOfOrder(), LoadGenerator.reconnects());
        System.out.println("[chaos] " + LoadGenerator.reconnectDiagnostics());
    }
}
