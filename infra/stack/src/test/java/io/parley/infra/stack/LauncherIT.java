package io.parley.infra.stack;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The launcher ({@code ./parley run}) as a real OS process: it starts Kafka, Cassandra and Redis as
 * child processes, refuses to start twice on the same ports or data directory, stops every child
 * on SIGTERM and SIGINT, keeps data across restarts, and leaves no child behind when it is
 * SIGKILLed (the children die with it through {@code setpriv --pdeathsig}).
 *
 * <p>The launcher runs with {@code --stack-only}: these tests are about the servers, not Parley's
 * services. They start stacks of their own, so they do not use the shared test stack.
 */
class LauncherIT {
    private static final String READY = "Parley local stack is ready.";
    private static final String STOPPED = "Stopped: no server left running.";
    private static final List<String> SERVERS = List.of("kafka", "cassandra", "redis");
    /** The launcher gives each server up to 180 s; three of them start side by side. */
    private static final Duration START_DEADLINE = Duration.ofMinutes(5);
    /** A clean stop: SIGTERM to every child, up to 45 s grace each (in parallel), then SIGKILL. */
    private static final Duration STOP_DEADLINE = Duration.ofMinutes(2);
    /** A launcher that cannot start fails before starting any server. */
    private static final Duration REFUSAL_DEADLINE = Duration.ofSeconds(90);
    private static final int SIGINT = 2;

    private final List<Launcher> launchers = new CopyOnWriteArrayList<>();
    private final Set<Path> dataDirs = ConcurrentHashMap.newKeySet();

    @Test
    void startsRefusesDuplicatesStopsOnSigtermAndSigintAndKeepsData(@TempDir Path dataDir, @TempDir Path otherDataDir)
            throws Exception {
        Ports ports = Ports.free();
        Launcher first = Launcher.start(this, dataDir, ports);
        first.awaitReady();
        assertThat(first.stdout()).contains("PARLEY_KAFKA_BOOTSTRAP=127.0.0.1:" + ports.kafka())
                .contains("PARLEY_CASSANDRA_CONTACT_POINTS=127.0.0.1:" + ports.cql())
                .contains("PARLEY_REDIS_URL=redis://127.0.0.1:" + ports.redis());
        Map<String, Long> children = childPids(first, dataDir);
        assertChildrenOf(first, children);

        // Same ports, another data directory: refused, naming the first port in use (Kafka's).
        Launcher samePorts = Launcher.start(this, otherDataDir, ports);
        samePorts.awaitExit(REFUSAL_DEADLINE);
        assertThat(samePorts.exitValue()).as(samePorts.describe()).isEqualTo(2);
        assertThat(samePorts.stderr()).as(samePorts.describe())
                .containsPattern("port " + ports.kafka() + "\\b.*in use");
        assertThat(samePorts.stdout()).doesNotContain(READY);
        assertThat(pidFiles(otherDataDir)).as("nothing started by the refused launcher").isEmpty();

        // Same data directory (other ports, to reach the lock): refused, naming the running launcher.
        Launcher sameDir = Launcher.start(this, dataDir, Ports.free());
        sameDir.awaitExit(REFUSAL_DEADLINE);
        assertThat(sameDir.exitValue()).as(sameDir.describe()).isEqualTo(2);
        assertThat(sameDir.stderr()).as(sameDir.describe())
                .contains("another Parley launcher (pid " + first.pid() + ")");
        assertThat(childPids(first, dataDir)).as("the refused launcher touched nothing").isEqualTo(children);
        assertAllAlive(children);

        // Something durable in each store, to find again after a restart.
        String topic = "durable-check." + unique();
        String recordValue = "kept-" + unique();
        String roomId = "room-" + unique();
        writeKafka(ports, topic, recordValue);
        writeCassandra(ports, roomId);

        // SIGTERM: every child is stopped and reaped before the launcher exits. (Through the handle:
        // Process.destroy() would also close our end of its stdout, losing what it prints on the way out.)
        first.process.toHandle().destroy();
        first.awaitExit(STOP_DEADLINE);
        assertThat(first.exitValue()).as(first.describe()).isEqualTo(128 + 15);
        assertThat(first.stdout()).as(first.describe()).contains(STOPPED);
        assertAllDead(children);
        assertThat(pidFiles(dataDir)).as("pid files removed on a clean stop").isEmpty();

        // Restart on the same data directory: the data is still there.
        Launcher second = Launcher.start(this, dataDir, ports);
        second.awaitReady();
        Map<String, Long> restarted = childPids(second, dataDir);
        assertChildrenOf(second, restarted);
        assertThat(readKafka(ports, topic)).as("record in %s after restart", topic).isEqualTo(recordValue);
        assertThat(readCassandra(ports, roomId)).as("row of %s after restart", roomId).isEqualTo("survives restarts");

        // SIGINT (Ctrl-C), as a developer stops it.
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(second.pid())).redirectErrorStream(true).start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as(new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        second.awaitExit(STOP_DEADLINE);
        assertThat(second.exitValue()).as(second.describe()).isEqualTo(128 + SIGINT);
        assertThat(second.stdout()).as(second.describe()).contains(STOPPED);
        assertAllDead(restarted);
        assertThat(pidFiles(dataDir)).isEmpty();
    }

    @Test
    void childrenDieWhenTheLauncherIsKilled(@TempDir Path dataDir) throws Exception {
        Ports ports = Ports.free();
        Launcher launcher = Launcher.start(this, dataDir, ports);
        launcher.awaitReady();
        Map<String, Long> children = childPids(launcher, dataDir);
        assertChildrenOf(launcher, children);

        launcher.process.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
        launcher.awaitExit(STOP_DEADLINE);
        assertThat(launcher.stdout()).doesNotContain(STOPPED);
        await("children of a SIGKILLed launcher to exit").atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertAllDead(children));

        // Its pid files are stale now; the OS released its lock. The next launcher on this directory
        // gets the lock, removes the stale files, then (Kafka's port held here) refuses to start.
        assertThat(pidFiles(dataDir)).containsExactlyInAnyOrder("launcher.pid", "kafka.pid", "cassandra.pid", "redis.pid");
        try (ServerSocket kafkaPortHolder = new ServerSocket()) {
            kafkaPortHolder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.kafka()));
            Launcher next = Launcher.start(this, dataDir, ports);
            next.awaitExit(REFUSAL_DEADLINE);
            assertThat(next.exitValue()).as(next.describe()).isEqualTo(2);
            assertThat(next.stderr()).as(next.describe()).doesNotContain("another Parley launcher")
                    .containsPattern("port " + ports.kafka() + "\\b.*in use");
            for (String server : SERVERS) {
                assertThat(next.stdout()).as(next.describe()).contains("removing stale pid file " + dataDir.resolve("run/" + server + ".pid"));
            }
        }
        assertThat(pidFiles(dataDir)).isEmpty();
    }

    /** Kills whatever a failed test left running: launchers, their descendants, servers named in pid files. */
    @AfterEach
    void killEverythingStarted() {
        List<ProcessHandle> victims = new ArrayList<>();
        for (Launcher launcher : launchers) {
            launcher.process.descendants().forEach(victims::add);
            victims.add(launcher.process.toHandle());
        }
        for (Path dataDir : dataDirs) {
            for (String server : SERVERS) {
                ChildProcess.readPid(dataDir.resolve("run/" + server + ".pid"))
                        .flatMap(ProcessHandle::of)
                        .filter(h -> h.isAlive() && commandLineMentions(h, dataDir))
                        .ifPresent(victims::add);
            }
        }
        victims.stream().filter(ProcessHandle::isAlive).forEach(h -> {
            System.err.println("[LauncherIT] killing leftover pid " + h.pid() + ": " + h.info().command().orElse("?"));
            h.destroyForcibly();
        });
        for (ProcessHandle victim : victims) {
            victim.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> null).join();
        }
    }

    // ---------------------------------------------------------------- assertions on processes

    private static Map<String, Long> childPids(Launcher launcher, Path dataDir) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String server : SERVERS) {
            Path pidFile = dataDir.resolve("run/" + server + ".pid");
            assertThat(pidFile).as("pid file of %s, %s", server, launcher.describe()).isRegularFile();
            pids.put(server, ChildProcess.readPid(pidFile).orElseThrow(() -> new AssertionError("no pid in " + pidFile)));
        }
        return pids;
    }

    private static List<String> pidFiles(Path dataDir) throws IOException {
        Path runDir = dataDir.resolve("run");
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        try (var files = Files.list(runDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pid")).toList();
        }
    }

    /** Every server is alive and a direct child of the launcher (setpriv execs the server in place). */
    private static void assertChildrenOf(Launcher launcher, Map<String, Long> children) {
        assertAllAlive(children);
        children.forEach((server, pid) -> assertThat(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .as("parent of %s (pid %d)", server, pid)
                .contains(launcher.pid()));
    }

    private static void assertAllAlive(Map<String, Long> children) {
        children.forEach((server, pid) -> assertThat(isAlive(pid)).as("%s (pid %d) alive", server, pid).isTrue());
    }

    private static void assertAllDead(Map<String, Long> children) {
        children.forEach((server, pid) -> assertThat(isAlive(pid)).as("%s (pid %d) alive", server, pid).isFalse());
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean commandLineMentions(ProcessHandle handle, Path dataDir) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(handle.pid()), "cmdline"))
                    .replace('\0', ' ').contains(dataDir.toString());
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- durable data

    private static void writeKafka(Ports ports, String topic, String value) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(ports)))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(ports),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "durable", value)).get(60, TimeUnit.SECONDS);
        }
    }

    private static String readKafka(Ports ports, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(ports)))) {
            assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).contains(topic, "parley.room-events.v1");
        }
        TopicPartition partition = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(ports),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
        }
        assertThat(records).singleElement().extracting(ConsumerRecord::key).isEqualTo("durable");
        return records.getFirst().value();
    }

    /** A row in keyspace {@code parley}, which the launcher creates. */
    private static void writeCassandra(Ports ports, String roomId) {
        try (CqlSession session = cqlSession(ports)) {
            session.execute(session.prepare("INSERT INTO parley.messages (room_id, bucket, seq, message_id, sender_id, body, created_at)"
                    + " VALUES (?, 0, 1, 'm-1', 'alice', 'survives restarts', ?)").bind(roomId, Instant.now()));
        }
    }

    private static String readCassandra(Ports ports, String roomId) {
        try (CqlSession session = cqlSession(ports)) {
            Row row = session.execute(session.prepare(
                    "SELECT body FROM parley.messages WHERE room_id = ? AND bucket = 0 AND seq = 1").bind(roomId)).one();
            return row == null ? null : row.getString("body");
        }
    }

    private static CqlSession cqlSession(Ports ports) {
        return CassandraNode.session(List.of(new InetSocketAddress("127.0.0.1", ports.cql())), "datacenter1");
    }

    private static String bootstrap(Ports ports) {
        return "127.0.0.1:" + ports.kafka();
    }

    // ---------------------------------------------------------------- the launcher process

    record Ports(int kafka, int controller, int cql, int storage, int redis) {
        /** Five distinct free loopback ports (all held open together while picked). */
        static Ports free() {
            List<ServerSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
                }
                return new Ports(sockets.get(0).getLocalPort(), sockets.get(1).getLocalPort(),
                        sockets.get(2).getLocalPort(), sockets.get(3).getLocalPort(), sockets.get(4).getLocalPort());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                for (ServerSocket socket : sockets) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // closing a listening socket does not fail in practice
                    }
                }
            }
        }
    }

    private static String unique() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A launcher JVM, with its stdout and stderr collected line by line. */
    static final class Launcher {
        final Process process;
        private final List<String> stdout = new CopyOnWriteArrayList<>();
        private final List<String> stderr = new CopyOnWriteArrayList<>();
        private final Thread stdoutReader;
        private final Thread stderrReader;
        private volatile String signalState = "";

        private Launcher(Process process) {
            this.process = process;
            this.stdoutReader = collect(process.getInputStream(), stdout, "launcher-" + process.pid() + "-stdout");
            this.stderrReader = collect(process.getErrorStream(), stderr, "launcher-" + process.pid() + "-stderr");
        }

        static Launcher start(LauncherIT test, Path dataDir, Ports ports) throws IOException {
            List<String> command = new ArrayList<>();
            if (sigintIgnoredHere()) {
                // An ignored SIGINT is inherited and the JVM then keeps ignoring it (e.g. Maven run as a
                // background job of a non-interactive shell); a developer's terminal never does that.
                command.addAll(List.of("/usr/bin/env", "--default-signal=INT"));
            }
            command.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--sun-misc-unsafe-memory-access=allow",
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "--stack-only"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> name.startsWith("PARLEY_"));
            env.put("PARLEY_DATA_DIR", dataDir.toString());
            env.put("PARLEY_KAFKA_PORT", Integer.toString(ports.kafka()));
            env.put("PARLEY_KAFKA_CONTROLLER_PORT", Integer.toString(ports.controller()));
            env.put("PARLEY_CASSANDRA_PORT", Integer.toString(ports.cql()));
            env.put("PARLEY_CASSANDRA_STORAGE_PORT", Integer.toString(ports.storage()));
            env.put("PARLEY_REDIS_PORT", Integer.toString(ports.redis()));
            test.dataDirs.add(dataDir);
            Launcher launcher = new Launcher(builder.start());
            test.launchers.add(launcher);
            return launcher;
        }

        long pid() { return process.pid(); }

        String stdout() { return String.join("\n", stdout); }

        String stderr() { return String.join("\n", stderr); }

        int exitValue() { return process.exitValue(); }

        String describe() {
            return "launcher pid " + pid() + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
                    + " " + signalState
                    + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr()
                    + "\n--- classpath ---\n" + System.getProperty("java.class.path");
        }

        /** Waits for the ready line; fails with everything the launcher printed if it exits or the deadline passes. */
        void awaitReady() {
            try {
                await("launcher ready").atMost(START_DEADLINE)
                        .until(() -> stdout.stream().anyMatch(l -> l.contains(READY)) || !process.isAlive());
            } catch (ConditionTimeoutException e) {
                fail("the launcher did not print '" + READY + "' within " + START_DEADLINE.toSeconds() + " s:\n" + describe());
            }
            if (!stdout.stream().anyMatch(l -> l.contains(READY))) {
                joinReaders();
                fail("the launcher exited before it was ready:\n" + describe());
            }
            signalState = signalState(pid());
        }

        /** Waits for the process to exit and for its output to be read to the end. */
        void awaitExit(Duration deadline) throws InterruptedException {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the launcher did not exit within " + deadline.toSeconds() + " s:\n" + describe());
            }
            joinReaders();
        }

        private void joinReaders() {
            try {
                stdoutReader.join(Duration.ofSeconds(10));
                stderrReader.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static Thread collect(InputStream stream, List<String> lines, String name) {
            return Thread.ofPlatform().daemon().name(name).start(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the stream closes when the process dies
                }
            });
        }

        private static String signalState(long pid) {
            try {
                return String.join(" ", Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                        .filter(l -> l.startsWith("Sig")).toList());
            } catch (IOException e) {
                return "";
            }
        }

        private static boolean sigintIgnoredHere() {
            try {
                Optional<String> mask = Files.readAllLines(Path.of("/proc/self/status")).stream()
                        .filter(l -> l.startsWith("SigIgn:")).map(l -> l.substring("SigIgn:".length()).strip()).findFirst();
                return mask.map(m -> (Long.parseUnsignedLong(m, 16) & (1L << (SIGINT - 1))) != 0).orElse(false);
            } catch (IOException | NumberFormatException e) {
                return false;
            }
        }
    }
}
