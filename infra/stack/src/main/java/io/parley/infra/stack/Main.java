package io.parley.infra.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;

/**
 * {@code ./parley run}: starts the local stack, prints where everything is, and runs until
 * SIGINT or SIGTERM, which stop every child process by PID. Exit codes: 0 after a clean stop,
 * 2 when the stack cannot start (the reason on stderr, one sentence, no stack trace).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        configureLogging();
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println("usage: parley run [--clean]   (see README.md for the PARLEY_* variables)");
            return;
        }
        boolean clean = arguments.contains("--clean");
        StackConfig config;
        LocalStack stack;
        try {
            config = StackConfig.fromEnv(System.getenv(), clean);
            System.out.println("Starting the Parley local stack (data in " + config.dataDir() + ") ...");
            stack = LocalStack.start(config, line -> System.out.println("  " + line));
        } catch (RuntimeException e) {
            String reason = e instanceof StackException ? e.getMessage() : e.toString();
            System.err.println("parley: the stack did not start: " + reason);
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the Parley local stack ...");
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
                Press Ctrl-C to stop.
                """, stack.kafkaBootstrap(), stack.cassandraContactPointsText(), stack.redisUrl(), config.logDir());
        System.out.flush();
        stopped.await();
    }

    private static void configureLogging() {
        try (InputStream in = Main.class.getResourceAsStream("logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
