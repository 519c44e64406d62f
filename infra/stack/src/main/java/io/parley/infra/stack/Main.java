package io.parley.infra.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;

/**
 * {@code ./parley run}: starts the local stack (Kafka, Cassandra, Redis) and Parley's services
 * (processors, history store, edge nodes), prints where everything is, and runs until SIGINT or
 * SIGTERM, which stop every child process by PID. {@code --stack-only} starts the servers alone;
 * {@code --clean} starts from empty data. Exit codes: 0 after a clean stop, 2 when something
 * cannot start (the reason on stderr, one sentence, no stack trace).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        configureLogging();
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println("usage: parley run [--clean] [--stack-only]   (see README.md for the PARLEY_* variables)");
            return;
        }
        StackConfig config;
        LocalStack stack;
        try {
            config = StackConfig.fromEnv(System.getenv(), arguments.contains("--clean"));
            System.out.println("Starting the Parley local stack (data in " + config.dataDir() + ") ...");
            stack = LocalStack.start(config, line -> System.out.println("  " + line));
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ParleyServices[] services = new ParleyServices[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping Parley ...");
            if (services[0] != null) {
                services[0].close();
            }
            stack.close();
            System.out.println("Stopped: no server left running.");
            stopped.countDown();
        }, "parley-stop"));
        System.out.printf("""
                Parley local stack is ready.
                  PARLEY_KAFKA_BOOTSTRAP=%s
                  PARLEY_CASSANDRA_CONTACT_POINTS=%s
                  PARLEY_REDIS_URL=%s
                  logs: %s
                """, stack.kafkaBootstrap(), stack.cassandraContactPointsText(), stack.redisUrl(), config.logDir());
        if (!arguments.contains("--stack-only")) {
            try {
                ServicesConfig servicesConfig = ServicesConfig.fromEnv(System.getenv(), config.dataDir());
                System.out.println("Starting Parley's services ...");
                services[0] = ParleyServices.start(ParleyServices.Target.of(stack), servicesConfig,
                        line -> System.out.println("  " + line));
                printHowToConnect(services[0]);
            } catch (RuntimeException e) {
                fail(e); // the shutdown hook stops whatever was started
                return;
            }
        }
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
    }

    private static void printHowToConnect(ParleyServices services) {
        StringBuilder out = new StringBuilder("Parley is running.\n");
        for (int i = 0; i < services.edges().size(); i++) {
            out.append("  WebSocket ").append(services.edges().get(i).name()).append(": ")
                    .append(services.edgeUrl(i)).append("?token=<token>\n");
        }
        out.append("  History:   ").append(services.historyUrl()).append("/v1/rooms/<roomId>/messages (Authorization: Bearer <token>)\n");
        out.append("  A token:   ./parley token <userId>\n");
        out.append("  Chat:      ./parley chat <userId> <roomId> [edge number]\n");
        StringBuilder ops = new StringBuilder();
        for (ServiceNode edge : services.edges()) {
            ops.append(" http://127.0.0.1:").append(edge.port());
        }
        ops.append(" http://127.0.0.1:").append(services.config().processorsHealthPort())
                .append(' ').append(services.historyUrl());
        out.append("  Metrics:   <each of").append(ops).append(">/metrics, /ready (docs/operations.md)\n");
        System.out.print(out);
    }

    private static void fail(RuntimeException e) {
        String reason = e instanceof StackException ? e.getMessage() : e.toString();
        System.err.println("parley: did not start: " + reason);
        System.exit(2);
    }

    /** One-line log records; libraries at WARNING, Kafka and the Cassandra driver at SEVERE. */
    public static void configureLogging() {
        try (InputStream in = Main.class.getResourceAsStream("logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
