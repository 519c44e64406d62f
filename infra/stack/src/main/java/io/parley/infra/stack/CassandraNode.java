package io.parley.infra.stack;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A single-node Cassandra 5.0 in its own JVM on JDK 17 (or 11), from the {@code cassandra-all}
 * Maven artefact, with a generated configuration and every directory under {@code cassandra/}.
 */
final class CassandraNode {
    private CassandraNode() {}

    static ChildProcess start(StackConfig config) {
        Path home = config.dataDir().resolve("cassandra");
        Path yaml = home.resolve("conf/cassandra.yaml");
        Path logback = home.resolve("conf/logback.xml");
        ServerArtifacts.writeFile(yaml, yaml(config, home));
        ServerArtifacts.writeFile(logback, """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{0} %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="STDOUT"/></root>
                  <logger name="org.apache.cassandra.service.CassandraDaemon" level="INFO"/>
                  <logger name="org.apache.cassandra.transport.Server" level="INFO"/>
                </configuration>
                """);
        String classpath = ServerArtifacts.classpath("cassandra-server");
        String jamm = Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(p -> Path.of(p).getFileName().toString().startsWith("jamm-"))
                .findFirst()
                .orElseThrow(() -> new StackException("no jamm jar on the Cassandra classpath"));
        Path java = findJava(config).resolve("bin/java");
        List<String> command = new ArrayList<>(List.of(java.toString(),
                "-Xms256m", "-Xmx768m", "-Xss256k", "-XX:MaxDirectMemorySize=256m"));
        command.addAll(jvmOptions());
        command.addAll(List.of(
                "-javaagent:" + jamm,
                "-Dcassandra.config=" + yaml.toUri(),
                "-Dlogback.configurationFile=" + logback,
                "-Dcassandra.storagedir=" + home,
                "-Dcassandra.logdir=" + config.logDir(),
                "-Dcassandra.triggers_dir=" + home.resolve("triggers"),
                "-Dcassandra-foreground=yes",
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.ring_delay_ms=0",
                "-Dcassandra.superuser_setup_delay_ms=0",
                "-cp", classpath,
                "org.apache.cassandra.service.CassandraDaemon"));
        try {
            Files.createDirectories(home.resolve("triggers"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ChildProcess.start(config, "cassandra", command, home, Map.of());
    }

    static List<InetSocketAddress> contactPoints(StackConfig config) {
        return config.externalCassandra()
                .map(CassandraNode::parseContactPoints)
                .orElse(List.of(new InetSocketAddress("127.0.0.1", config.cqlPort())));
    }

    /** {@code host:port,host:port} as written in {@code PARLEY_CASSANDRA_CONTACT_POINTS}. */
    static List<InetSocketAddress> parseContactPoints(String value) {
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(s -> {
                    int colon = s.lastIndexOf(':');
                    if (colon < 0) {
                        return new InetSocketAddress(s, 9042);
                    }
                    try {
                        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
                    } catch (IllegalArgumentException e) { // a non-number, or a port out of range
                        throw new StackException("PARLEY_CASSANDRA_CONTACT_POINTS: bad port in '" + s + "'");
                    }
                })
                .toList();
    }

    /** A session with timeouts fit for a loaded two-core machine (schema changes take seconds). */
    static CqlSession session(List<InetSocketAddress> contactPoints, String localDatacenter) {
        return CqlSession.builder()
                .addContactPoints(contactPoints)
                .withLocalDatacenter(localDatacenter)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(20))
                        .build())
                .build();
    }

    /** Opens a session once CQL answers, failing early if {@code process} exits. */
    static CqlSession awaitSession(List<InetSocketAddress> contactPoints, String localDatacenter,
                                   ChildProcess process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (process != null) {
                process.requireAlive();
            }
            try {
                CqlSession session = session(contactPoints, localDatacenter);
                session.execute("SELECT release_version FROM system.local");
                return session;
            } catch (RuntimeException e) {
                last = e;
            }
            Waits.pause(500);
        }
        throw new StackException("Cassandra at " + contactPoints + " did not answer CQL within " + timeout.toSeconds() + " s"
                + (last == null ? "" : ": " + last.getMessage())
                + (process == null ? "" : "\n" + process.logTail(20)));
    }

    /**
     * Cassandra 5.0 runs on JDK 11 or 17 only (on 24+ it fails at start: the Security Manager is
     * gone). {@code PARLEY_CASSANDRA_JAVA_HOME} wins; otherwise the newest 17 (then 11) under
     * /usr/lib/jvm; otherwise this JVM if it is one of those.
     */
    static Path findJava(StackConfig config) {
        if (config.cassandraJavaHome().isPresent()) {
            Path home = config.cassandraJavaHome().get();
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                throw new StackException("PARLEY_CASSANDRA_JAVA_HOME=" + home + " has no bin/java");
            }
            return home;
        }
        for (String feature : List.of("17", "11")) {
            Optional<Path> found = jdksUnder(Path.of("/usr/lib/jvm"), feature);
            if (found.isPresent()) {
                return found.get();
            }
        }
        int current = Runtime.version().feature();
        if (current == 17 || current == 11) {
            return Path.of(System.getProperty("java.home"));
        }
        throw new StackException("Cassandra 5.0 needs a JDK 17 (or 11), and none was found under /usr/lib/jvm: "
                + "install one (Debian: apt-get install openjdk-17-jre-headless) or set PARLEY_CASSANDRA_JAVA_HOME");
    }

    private static Optional<Path> jdksUnder(Path root, String feature) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(root)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")))
                    .filter(h -> releaseVersion(h).map(v -> v.equals(feature) || v.startsWith(feature + ".")).orElse(false))
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> releaseVersion(Path javaHome) {
        try {
            return Files.readAllLines(javaHome.resolve("release")).stream()
                    .filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", ""))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<String> jvmOptions() {
        try (InputStream in = CassandraNode.class.getResourceAsStream("cassandra-jvm17.options")) {
            if (in == null) {
                throw new IllegalStateException("cassandra-jvm17.options missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String yaml(StackConfig config, Path home) {
        return """
                # Generated by the Parley launcher on every start; edit StackConfig, not this file.
                cluster_name: 'parley-local'
                num_tokens: 1
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                commitlog_sync: periodic
                commitlog_sync_period: 10000ms
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "127.0.0.1:%2$d"
                listen_address: 127.0.0.1
                rpc_address: 127.0.0.1
                storage_port: %2$d
                native_transport_port: %1$d
                start_native_transport: true
                endpoint_snitch: SimpleSnitch
                data_file_directories:
                  - %3$s/data
                commitlog_directory: %3$s/commitlog
                saved_caches_directory: %3$s/saved_caches
                hints_directory: %3$s/hints
                cdc_raw_directory: %3$s/cdc_raw
                authenticator: AllowAllAuthenticator
                authorizer: AllowAllAuthorizer
                concurrent_compactors: 1
                """.formatted(config.cqlPort(), config.cassandraStoragePort(), home);
    }
}
