// Owns the rebuild command: arguments, the target keyspace's schema and the wiring of Rebuild to the
// history store's own Cassandra sink; progress on stdout, exit code 0 done / 1 failed / 2 bad usage.
package io.parley.history.rebuild;

import com.datastax.oss.driver.api.core.CqlSession;
import io.parley.contracts.CqlSchema;
import io.parley.history.HistoryConfig;
import io.parley.history.cql.BoundedCql;
import io.parley.history.cql.Buckets;
import io.parley.history.cql.MessageStore;
import io.parley.history.cql.RawEventStore;
import io.parley.history.cql.Sessions;
import io.parley.history.writer.CassandraSink;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -cp history-store/target/classes:<runtime.classpath> io.parley.history.rebuild.RebuildMain
 * --keyspace <new keyspace> [--group <id>] [--in-flight <n>] [--batches <n>] [--replication <cql map>]
 * [--progress-seconds <n>]}. Kafka, Cassandra and the topic namespace come from the history store's
 * environment variables ({@link HistoryConfig}); the keyspace must differ from
 * {@code PARLEY_CASSANDRA_KEYSPACE} (the live one). See docs/operations.md, "Rebuild".
 */
public final class RebuildMain {
    private static Logger kafkaLog;
    private static Logger driverLog;

    private RebuildMain() {}

    /** The command line, parsed. */
    record Options(String keyspace, String groupId, int inFlight, int batches, String replication, int progressSeconds) {
        static Options parse(String[] args) {
            Map<String, String> values = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (!name.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value pairs, got '" + name + "'");
                }
                values.put(name.substring(2), args[++i]);
            }
            String keyspace = values.remove("keyspace");
            if (keyspace == null) {
                throw new IllegalArgumentException("--keyspace <name> is required (a new keyspace for the rebuilt tables)");
            }
            Options options = new Options(keyspace, values.getOrDefault("group", "parley-rebuild-" + keyspace),
                    number(values, "in-flight", 512), number(values, "batches", 8),
                    values.getOrDefault("replication", CqlSchema.localReplication()), number(values, "progress-seconds", 5));
            values.keySet().removeAll(java.util.Set.of("group", "in-flight", "batches", "replication", "progress-seconds"));
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown option(s): " + values.keySet());
            }
            return options;
        }

        private static int number(Map<String, String> values, String name, int fallback) {
            String text = values.get(name);
            try {
                int value = text == null ? fallback : Integer.parseInt(text);
                if (value < 1) {
                    throw new IllegalArgumentException("--" + name + " must be positive");
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " is not a number: " + text);
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        kafkaLog = Logger.getLogger("org.apache.kafka");
        kafkaLog.setLevel(Level.WARNING);
        driverLog = Logger.getLogger("com.datastax.oss.driver");
        driverLog.setLevel(Level.WARNING);
        Options options;
        HistoryConfig config;
        try {
            options = Options.parse(args);
            config = HistoryConfig.storageFromEnv(System.getenv());
            if (options.keyspace().equals(config.keyspace())) {
                throw new IllegalArgumentException("--keyspace " + options.keyspace()
                        + " is the live keyspace (PARLEY_CASSANDRA_KEYSPACE): rebuild into a new one");
            }
            CqlSchema.statements(options.keyspace(), options.replication());
        } catch (IllegalArgumentException e) {
            System.err.println("parley-rebuild: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch finished = new CountDownLatch(1);
        AtomicReference<Rebuild> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            Rebuild rebuild = running.get();
            if (rebuild != null && finished.getCount() > 0) {
                System.err.println("parley-rebuild: stopping, committing what is stored");
                rebuild.stop();
                try {
                    finished.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        int exit;
        try {
            Rebuild.Result result = run(config, options, Buckets.defaults(), System.out, running::set);
            System.out.printf("parley-rebuild: serve the rebuilt tables with PARLEY_CASSANDRA_KEYSPACE=%s"
                    + " PARLEY_HISTORY_GROUP_ID=%s (the writer then goes on where the rebuild stopped)%n",
                    options.keyspace(), options.groupId());
            exit = result.completed() ? 0 : 1;
        } catch (RuntimeException e) {
            System.err.println("parley-rebuild: failed (run it again to resume): " + e);
            exit = 1;
        } finally {
            finished.countDown();
        }
        System.exit(exit);
    }

    /** One run: schema applied to the target keyspace, then room-events through the history store's sink. */
    static Rebuild.Result run(HistoryConfig config, Options options, Buckets buckets, PrintStream progress,
                              Consumer<Rebuild> started) {
        try (CqlSession session = Sessions.open(config.cassandraContactPoints(), config.cassandraLocalDc())) {
            MessageStore messages = MessageStore.open(session, options.keyspace(), options.replication(), buckets);
            RawEventStore raw = new RawEventStore(session, options.keyspace(), buckets);
            BoundedCql cql = new BoundedCql(session, options.inFlight(), Duration.ofSeconds(30));
            Rebuild rebuild = new Rebuild(new Rebuild.Settings(config.kafkaBootstrap(), config.roomEventsTopic(),
                    options.groupId(), options.batches(), 10, Duration.ofSeconds(options.progressSeconds())),
                    new CassandraSink(messages, raw, cql), progress);
            started.accept(rebuild);
            return rebuild.run();
        }
    }
}
