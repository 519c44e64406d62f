package io.parley.infra.stack;

import io.parley.contracts.Topic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of the local stack, read from environment variables (the same names in the
 * README, the launcher and the deployment files). Each server is either started here on
 * 127.0.0.1, or an existing one named by its {@code PARLEY_*} address variable.
 *
 * @param dataDir          {@code PARLEY_DATA_DIR} (default {@code .parley}): every server's data, logs and pid files
 * @param clean            start from empty data ({@code --clean})
 * @param kafkaPort        {@code PARLEY_KAFKA_PORT} (19092)
 * @param kafkaControllerPort {@code PARLEY_KAFKA_CONTROLLER_PORT} (19093)
 * @param cqlPort          {@code PARLEY_CASSANDRA_PORT} (19042)
 * @param cassandraStoragePort {@code PARLEY_CASSANDRA_STORAGE_PORT} (17000)
 * @param redisPort        {@code PARLEY_REDIS_PORT} (16379)
 * @param externalKafka    {@code PARLEY_KAFKA_BOOTSTRAP}: use this Kafka instead of starting one
 * @param externalCassandra {@code PARLEY_CASSANDRA_CONTACT_POINTS} (host:port,...): use this Cassandra
 * @param externalRedis    {@code PARLEY_REDIS_URL} (redis://host:port): use this Redis
 * @param topicNamespace   {@code PARLEY_TOPIC_NAMESPACE} (parley.)
 * @param keyspace         {@code PARLEY_CASSANDRA_KEYSPACE} (parley)
 * @param localDatacenter  {@code PARLEY_CASSANDRA_LOCAL_DC} (datacenter1)
 * @param cassandraJavaHome {@code PARLEY_CASSANDRA_JAVA_HOME}: the JDK 17 (or 11) Cassandra runs on; found under /usr/lib/jvm when unset
 * @param startTimeout     {@code PARLEY_START_TIMEOUT_SECONDS} (180): how long a server may take to answer
 */
public record StackConfig(
        Path dataDir,
        boolean clean,
        int kafkaPort,
        int kafkaControllerPort,
        int cqlPort,
        int cassandraStoragePort,
        int redisPort,
        Optional<String> externalKafka,
        Optional<String> externalCassandra,
        Optional<String> externalRedis,
        String topicNamespace,
        String keyspace,
        String localDatacenter,
        Optional<Path> cassandraJavaHome,
        Duration startTimeout) {

    public static StackConfig fromEnv(Map<String, String> env, boolean clean) {
        return new StackConfig(
                Path.of(env.getOrDefault("PARLEY_DATA_DIR", ".parley")).toAbsolutePath().normalize(),
                clean,
                intVar(env, "PARLEY_KAFKA_PORT", 19092),
                intVar(env, "PARLEY_KAFKA_CONTROLLER_PORT", 19093),
                intVar(env, "PARLEY_CASSANDRA_PORT", 19042),
                intVar(env, "PARLEY_CASSANDRA_STORAGE_PORT", 17000),
                intVar(env, "PARLEY_REDIS_PORT", 16379),
                optional(env, "PARLEY_KAFKA_BOOTSTRAP"),
                optional(env, "PARLEY_CASSANDRA_CONTACT_POINTS"),
                optional(env, "PARLEY_REDIS_URL"),
                env.getOrDefault("PARLEY_TOPIC_NAMESPACE", Topic.DEFAULT_NAMESPACE),
                env.getOrDefault("PARLEY_CASSANDRA_KEYSPACE", "parley"),
                env.getOrDefault("PARLEY_CASSANDRA_LOCAL_DC", "datacenter1"),
                optional(env, "PARLEY_CASSANDRA_JAVA_HOME").map(Path::of),
                Duration.ofSeconds(intVar(env, "PARLEY_START_TIMEOUT_SECONDS", 180)));
    }

    /**
     * For a test run: a fresh data directory and free ports, so a developer's running stack and
     * concurrent runs never collide; external servers named in the environment still win.
     */
    public static StackConfig forTests(Map<String, String> env, Path dataDir) {
        StackConfig base = fromEnv(env, true);
        int[] ports = freePorts(5);
        return new StackConfig(dataDir, true, ports[0], ports[1], ports[2], ports[3], ports[4],
                base.externalKafka, base.externalCassandra, base.externalRedis,
                base.topicNamespace, base.keyspace, base.localDatacenter, base.cassandraJavaHome,
                base.startTimeout);
    }

    public Path runDir() { return dataDir.resolve("run"); }

    public Path logDir() { return dataDir.resolve("logs"); }

    /** {@code count} distinct free ports: all sockets are held open while picking, so none repeats. */
    public static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<String> optional(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(s -> !s.isEmpty());
    }

    private static int intVar(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new StackException(name + " must be a number, got '" + value + "'");
        }
    }
}
