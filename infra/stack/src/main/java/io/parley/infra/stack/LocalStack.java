package io.parley.infra.stack;

import com.datastax.oss.driver.api.core.CqlSession;
import io.parley.contracts.CqlSchema;
import io.parley.contracts.Topic;
import io.parley.contracts.ops.TopicsOpen;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The local stack: Kafka, Cassandra and Redis on 127.0.0.1, each in a process of its own (or an
 * existing server named by environment variable), ready when {@link #start} returns: every server
 * answered, the catalog's topics exist and the CQL schema is applied. {@link #close} stops every
 * child by PID, in parallel, and waits for each to exit.
 */
public final class LocalStack implements AutoCloseable {
    private final StackConfig config;
    private final StackLock lock;
    private final List<ChildProcess> children;

    private LocalStack(StackConfig config, StackLock lock, List<ChildProcess> children) {
        this.config = config;
        this.lock = lock;
        this.children = children;
    }

    /** Starts what the configuration asks for; on any failure stops what it started and throws. */
    public static LocalStack start(StackConfig config, Consumer<String> log) {
        StackLock lock = StackLock.acquire(config.runDir());
        List<ChildProcess> children = new ArrayList<>();
        try {
            ChildProcess.reapLeftovers(config).forEach(log);
            requireFreePorts(config);
            if (config.clean()) {
                log.accept("clean start: removing " + config.dataDir() + " (all but the lock)");
                deleteDataExceptRun(config.dataDir());
            }
            ChildProcess kafka = null;
            ChildProcess cassandra = null;
            ChildProcess redis = null;
            // Start all three first: they boot side by side, then we wait for each in turn.
            if (config.externalKafka().isEmpty()) {
                kafka = KafkaNode.start(config);
                children.add(kafka);
            }
            if (config.externalCassandra().isEmpty()) {
                cassandra = CassandraNode.start(config);
                children.add(cassandra);
            }
            if (config.externalRedis().isEmpty()) {
                redis = RedisNode.start(config);
                children.add(redis);
            }
            LocalStack stack = new LocalStack(config, lock, children);
            RedisNode.awaitReady(stack.redisUrl(), redis, config.startTimeout());
            log.accept("Redis ready at " + stack.redisUrl() + pidNote(redis));
            KafkaNode.awaitReady(stack.kafkaBootstrap(), kafka, config.startTimeout());
            createTopics(stack.kafkaBootstrap(), config.topicNamespace());
            log.accept("Kafka ready at " + stack.kafkaBootstrap() + pidNote(kafka)
                    + ", topics in namespace '" + config.topicNamespace() + "'");
            try (CqlSession session = CassandraNode.awaitSession(stack.cassandraContactPoints(),
                    config.localDatacenter(), cassandra, config.startTimeout())) {
                applySchema(session, config.keyspace());
            }
            log.accept("Cassandra ready at " + stack.cassandraContactPointsText() + pidNote(cassandra)
                    + ", keyspace '" + config.keyspace() + "'");
            return stack;
        } catch (RuntimeException e) {
            stopAll(children);
            lock.close();
            throw e;
        }
    }

    public StackConfig config() { return config; }

    public String kafkaBootstrap() {
        return config.externalKafka().orElse(KafkaNode.bootstrap(config));
    }

    public List<InetSocketAddress> cassandraContactPoints() {
        return CassandraNode.contactPoints(config);
    }

    /** As {@code PARLEY_CASSANDRA_CONTACT_POINTS} writes them: {@code host:port,host:port}. */
    public String cassandraContactPointsText() {
        return String.join(",", cassandraContactPoints().stream()
                .map(a -> a.getHostString() + ":" + a.getPort()).toList());
    }

    public String redisUrl() {
        return RedisNode.url(config);
    }

    /** Pids of the servers started here, by name ({@code kafka}, {@code cassandra}, {@code redis}). */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        children.forEach(c -> pids.put(c.name(), c.pid()));
        return pids;
    }

    /** A CQL session against this stack's Cassandra (the caller closes it). */
    public CqlSession cqlSession() {
        return CassandraNode.session(cassandraContactPoints(), config.localDatacenter());
    }

    /**
     * Creates every topic of the catalog in {@code namespace} (topics that exist are left as they are)
     * and returns once every partition is open on its leader ({@link TopicsOpen}: KAFKA-15591).
     */
    public static void createTopics(String bootstrap, String namespace) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = Arrays.stream(Topic.values())
                    .map(t -> new NewTopic(t.nameIn(namespace), t.partitions(), (short) 1).configs(t.configs()))
                    .toList();
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new StackException("could not create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
                    }
                } catch (Exception e) {
                    throw new StackException("could not create topic " + name + ": " + e, e);
                }
            });
            TopicsOpen.await(admin, topics.stream().map(NewTopic::name).toList(), Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting for the topics to open", e);
        }
    }

    /** Applies Parley's CQL schema to {@code keyspace} (idempotent). */
    public static void applySchema(CqlSession session, String keyspace) {
        for (String statement : CqlSchema.statements(keyspace, CqlSchema.localReplication())) {
            session.execute(statement);
        }
    }

    /**
     * Stops the Kafka broker this stack started (SIGTERM; its data stays): for tests of what Parley
     * does while Kafka is gone. Fails if Kafka is external.
     */
    public synchronized void stopKafka() {
        ChildProcess kafka = kafkaChild();
        kafka.close();
    }

    /** Starts the Kafka broker again after {@link #stopKafka()} (same port and data) and waits until it answers. */
    public synchronized void startKafka() {
        ChildProcess old = kafkaChild();
        if (old.isAlive()) {
            return;
        }
        ChildProcess kafka = KafkaNode.start(config);
        children.set(children.indexOf(old), kafka);
        KafkaNode.awaitReady(kafkaBootstrap(), kafka, config.startTimeout());
    }

    /**
     * Stops the Cassandra node this stack started (SIGTERM; its data stays): for tests of what
     * Parley does while Cassandra is gone. Fails if Cassandra is external.
     */
    public synchronized void stopCassandra() {
        child("cassandra", config.externalCassandra().isPresent()).close();
    }

    /** Starts Cassandra again after {@link #stopCassandra()} (same port and data) and waits until it answers. */
    public synchronized void startCassandra() {
        ChildProcess old = child("cassandra", config.externalCassandra().isPresent());
        if (old.isAlive()) {
            return;
        }
        ChildProcess cassandra = CassandraNode.start(config);
        children.set(children.indexOf(old), cassandra);
        CassandraNode.awaitSession(cassandraContactPoints(), config.localDatacenter(), cassandra, config.startTimeout()).close();
    }

    private ChildProcess child(String name, boolean external) {
        if (external) {
            throw new StackException(name + " is external: not stopped or started here");
        }
        return children.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new StackException("no " + name + " started by this stack"));
    }

    private ChildProcess kafkaChild() {
        if (config.externalKafka().isPresent()) {
            throw new StackException("Kafka is external (" + config.externalKafka().get() + "): not stopped or started here");
        }
        return children.stream().filter(c -> c.name().equals("kafka")).findFirst()
                .orElseThrow(() -> new StackException("no Kafka started by this stack"));
    }

    /** Stops every child (SIGTERM, then SIGKILL after a grace period) and releases the lock. */
    @Override
    public void close() {
        stopAll(children);
        lock.close();
    }

    private static void stopAll(List<ChildProcess> children) {
        children.stream().map(c -> Thread.ofPlatform().name("stop-" + c.name()).start(c::close))
                .toList()
                .forEach(t -> {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
    }

    private static String pidNote(ChildProcess child) {
        return child == null ? " (external)" : " (pid " + child.pid() + ")";
    }

    private static void requireFreePorts(StackConfig config) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        if (config.externalKafka().isEmpty()) {
            ports.put("Kafka (PARLEY_KAFKA_PORT)", config.kafkaPort());
            ports.put("Kafka controller (PARLEY_KAFKA_CONTROLLER_PORT)", config.kafkaControllerPort());
        }
        if (config.externalCassandra().isEmpty()) {
            ports.put("Cassandra CQL (PARLEY_CASSANDRA_PORT)", config.cqlPort());
            ports.put("Cassandra storage (PARLEY_CASSANDRA_STORAGE_PORT)", config.cassandraStoragePort());
        }
        if (config.externalRedis().isEmpty()) {
            ports.put("Redis (PARLEY_REDIS_PORT)", config.redisPort());
        }
        ports.forEach((what, port) -> {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true); // a port held only by TIME_WAIT connections is free for the servers too
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                throw new StackException("port " + port + " for " + what + " is already in use on 127.0.0.1: "
                        + "is another Parley stack running? Stop it, or choose another port with that variable");
            }
        });
    }

    private static void deleteDataExceptRun(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        Path runDir = dataDir.resolve("run");
        try {
            Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return dir.equals(runDir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (!dir.equals(dataDir)) {
                        Files.delete(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
