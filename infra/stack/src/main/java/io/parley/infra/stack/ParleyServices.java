package io.parley.infra.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Parley's own services on top of a running stack, each in its own process as in production:
 * the stream processors, the history store and N edge nodes (edge-1 on slot 0, edge-2 on slot 1,
 * ...). Used by {@code ./parley run} and by the end-to-end tests, which also restart or kill
 * single services.
 */
public final class ParleyServices implements AutoCloseable {
    /** Where the services find the stack and which names they use. */
    public record Target(String kafkaBootstrap, String cassandraContactPoints, String localDatacenter,
                         String redisUrl, String topicNamespace, String keyspace, StackConfig stackConfig) {
        public static Target of(LocalStack stack) {
            StackConfig c = stack.config();
            return new Target(stack.kafkaBootstrap(), stack.cassandraContactPointsText(), c.localDatacenter(),
                    stack.redisUrl(), c.topicNamespace(), c.keyspace(), c);
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Target target;
    private final ServicesConfig config;
    private ServiceNode processors;
    private ServiceNode history;
    private final List<ServiceNode> edges = new ArrayList<>();

    private ParleyServices(Target target, ServicesConfig config) {
        this.target = target;
        this.config = config;
    }

    /** Starts every service side by side, then waits until each is healthy; on failure stops them all. */
    public static ParleyServices start(Target target, ServicesConfig config, Consumer<String> log) {
        ParleyServices services = new ParleyServices(target, config);
        try {
            services.processors = services.launchProcessors();
            services.history = services.launchHistory();
            for (int slot = 0; slot < config.edgePorts().size(); slot++) {
                services.edges.add(services.launchEdge(slot));
            }
            services.processors.awaitHealthy(START_TIMEOUT);
            log.accept("processors ready (pid " + services.processors.pid() + ")");
            services.history.awaitHealthy(START_TIMEOUT);
            log.accept("history store ready at http://127.0.0.1:" + config.historyPort() + " (pid " + services.history.pid() + ")");
            for (ServiceNode edge : services.edges) {
                edge.awaitHealthy(START_TIMEOUT);
                log.accept(edge.name() + " ready at ws://127.0.0.1:" + edge.port() + "/ws (pid " + edge.pid() + ")");
            }
            return services;
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    public ServicesConfig config() { return config; }

    public ServiceNode processors() { return processors; }

    public ServiceNode history() { return history; }

    public List<ServiceNode> edges() { return List.copyOf(edges); }

    public String edgeUrl(int index) {
        return "ws://127.0.0.1:" + config.edgePorts().get(index) + "/ws";
    }

    public String historyUrl() {
        return "http://127.0.0.1:" + config.historyPort();
    }

    /** Stops (SIGTERM) and starts the history store again with the same configuration. */
    public void restartHistory() {
        history.close();
        history = launchHistory();
        history.awaitHealthy(START_TIMEOUT);
    }

    /** Stops (SIGTERM) and starts the processors again (same application id and state directory). */
    public void restartProcessors() {
        restartProcessors(Map.of());
    }

    /**
     * Stops (SIGTERM; nothing if it already died) and starts the processors again with
     * {@code overrides} added to their environment (e.g. a test hook such as
     * PARLEY_TEST_CRASH_POINT), same application id and state directory.
     */
    public void restartProcessors(Map<String, String> overrides) {
        processors.close();
        processors = launchProcessors(overrides);
        processors.awaitHealthy(START_TIMEOUT);
    }

    /** SIGKILL of edge node {@code index} (0-based): no drain, no goodbye (crash tests). */
    public void killEdge(int index) {
        edges.get(index).kill();
    }

    /** Starts edge node {@code index} (0-based) again after a kill or stop, same slot, id and port. */
    public void restartEdge(int index) {
        edges.get(index).close();
        ServiceNode edge = launchEdge(index);
        edges.set(index, edge);
        edge.awaitHealthy(START_TIMEOUT);
    }

    /** Starts a history store with other settings (e.g. an empty keyspace and a new group: a replay). */
    public ServiceNode launchHistory(String name, Map<String, String> overrides) {
        Map<String, String> env = baseEnv();
        env.put("PARLEY_HISTORY_PORT", Integer.toString(config.historyPort()));
        env.putAll(overrides);
        ServiceNode node = ServiceNode.launch(target.stackConfig(), config.repoRoot(), name, "history-store",
                "io.parley.history.Main", Integer.parseInt(env.get("PARLEY_HISTORY_PORT")), env);
        try {
            node.awaitHealthy(START_TIMEOUT);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    private ServiceNode launchProcessors() {
        return launchProcessors(Map.of());
    }

    private ServiceNode launchProcessors(Map<String, String> overrides) {
        Map<String, String> env = baseEnv();
        env.putAll(overrides);
        env.put("PARLEY_PROCESSORS_HEALTH_PORT", Integer.toString(config.processorsHealthPort()));
        env.putIfAbsent("PARLEY_PROCESSORS_APP_ID", "parley-processors-" + target.topicNamespace().replace(".", ""));
        env.putIfAbsent("PARLEY_STATE_DIR", target.stackConfig().dataDir().resolve("processors-state").toString());
        return ServiceNode.launch(target.stackConfig(), config.repoRoot(), "processors", "stream-processors",
                "io.parley.processors.Main", config.processorsHealthPort(), env);
    }

    private ServiceNode launchHistory() {
        Map<String, String> env = baseEnv();
        env.put("PARLEY_HISTORY_PORT", Integer.toString(config.historyPort()));
        return ServiceNode.launch(target.stackConfig(), config.repoRoot(), "history", "history-store",
                "io.parley.history.Main", config.historyPort(), env);
    }

    private ServiceNode launchEdge(int slot) {
        Map<String, String> env = baseEnv();
        String name = "edge-" + (slot + 1);
        env.put("PARLEY_EDGE_NODE_ID", name);
        env.put("PARLEY_EDGE_SLOT", Integer.toString(slot));
        env.put("PARLEY_EDGE_PORT", Integer.toString(config.edgePorts().get(slot)));
        env.putIfAbsent("PARLEY_HISTORY_URL", historyUrl()); // resume reads missed messages there
        return ServiceNode.launch(target.stackConfig(), config.repoRoot(), name, "edge-node",
                "io.parley.edge.Main", config.edgePorts().get(slot), env);
    }

    private Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>(config.passThrough());
        env.put("PARLEY_KAFKA_BOOTSTRAP", target.kafkaBootstrap());
        env.put("PARLEY_TOPIC_NAMESPACE", target.topicNamespace());
        env.put("PARLEY_CASSANDRA_CONTACT_POINTS", target.cassandraContactPoints());
        env.put("PARLEY_CASSANDRA_LOCAL_DC", target.localDatacenter());
        env.put("PARLEY_CASSANDRA_KEYSPACE", target.keyspace());
        env.put("PARLEY_REDIS_URL", target.redisUrl());
        env.put("PARLEY_JWT_SECRET", config.jwtSecret());
        return env;
    }

    /** Stops edge nodes first (they drain), then the history store and the processors. */
    @Override
    public void close() {
        edges.forEach(ServiceNode::close);
        if (history != null) {
            history.close();
        }
        if (processors != null) {
            processors.close();
        }
    }

    Path repoRoot() { return config.repoRoot(); }
}
