// Owns the history store's process: configuration from the environment, start, SIGTERM handling.
package io.parley.history;

import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -cp history-store/target/classes:<runtime.classpath> io.parley.history.Main}.
 * Prints {@code parley-history listening on port <N>} once serving; SIGTERM stops the writer
 * (committing what it stored), the web server and the Cassandra session, then exits.
 */
public final class Main {
    /** Held so the JUL levels set here are not garbage collected (set after the log format). */
    private static Logger kafkaLog;
    private static Logger driverLog;

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        kafkaLog = Logger.getLogger("org.apache.kafka");
        kafkaLog.setLevel(Level.WARNING);
        driverLog = Logger.getLogger("com.datastax.oss.driver");
        driverLog.setLevel(Level.WARNING);

        HistoryConfig config;
        try {
            config = HistoryConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("parley-history: " + e.getMessage());
            System.exit(2);
            return;
        }
        HistoryStore store;
        try {
            store = HistoryStore.start(config);
        } catch (RuntimeException e) {
            System.err.println("parley-history: cannot start: " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // JUL resets its handlers in a shutdown hook of its own, concurrently with this one: the
        // stop lines go straight to stderr so they are never lost.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("parley-history-shutdown").unstarted(() -> {
            System.err.println("parley-history stopping");
            store.close();
            System.err.println("parley-history stopped");
            stopped.countDown();
        }));
        System.out.println("parley-history listening on port " + store.port());
        stopped.await();
    }
}
