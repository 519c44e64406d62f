/*
 * ParleyCluster owns the one Parley deployment the end-to-end tests share (processors, history
 * store, two edge nodes), the PARLEY_* limits they run with, and the small HTTP helpers (edge URLs,
 * a bearer GET, a history page's contents) the tests share.
 */
package io.parley.e2e;

import io.parley.contracts.auth.TokenIssuer;
import io.parley.infra.stack.ParleyServices;
import io.parley.infra.stack.ServicesConfig;
import io.parley.infra.stack.StackConfig;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole of Parley for the end-to-end tests, started once per test JVM on the shared test stack
 * in a topic namespace and keyspace of its own: the processors, the history store and two edge
 * nodes, each in its own process. Logs are kept in {@code target/e2e-run/logs}.
 *
 * <p>Limits are set here for every test: rate 60 messages per minute with a burst of 60 per user;
 * presence: an edge node's lease of {@value #LEASE_MS} ms (heartbeat every third of it) and a grace
 * period of {@value #GRACE_MS} ms before a user with no connection is offline (short, for
 * PresenceIT; long enough that a loaded machine does not expire a live node); typing: a typist who
 * does not refresh is stopped after {@value #TYPING_TIMEOUT_MS} ms (short, for TypingIT); leases are
 * judged on ticks every {@value #LEASE_TICK_MS} ms; edges refuse new work while a command has waited
 * {@value #MAX_PENDING_MS} ms for its answer (LivenessIT); a connection opened without a token must
 * send {@code auth} within {@value #AUTH_TIMEOUT_MS} ms (short, for the AUTH_TIMEOUT cases); a user
 * may be a member of {@value #MAX_ROOMS_PER_USER} rooms (low, for MembershipIT).
 */
public final class ParleyCluster implements ParameterResolver, AutoCloseable {
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();
    static final String SECRET = "e2e-secret-that-is-long-enough-for-hs256!";
    static final int RATE_PER_MINUTE = 60;
    static final int RATE_BURST = 60;
    static final int MAX_MESSAGE_LENGTH = 500;
    static final long LEASE_MS = 5_000;
    static final long GRACE_MS = 3_000;
    static final long TYPING_TIMEOUT_MS = 1_500;
    /** The operators' credential of the edge nodes' admin API (not a user token). */
    static final String ADMIN_TOKEN = "e2e-admin-token-not-a-jwt";
    /** Backpressure bound of the edges: the lease (a loaded machine must not refuse the other tests' sends). */
    static final long MAX_PENDING_MS = LEASE_MS;
    static final long LEASE_TICK_MS = 250;
    static final long AUTH_TIMEOUT_MS = 4_000;
    /** Rooms a user may be a member of (low, for MembershipIT). */
    static final int MAX_ROOMS_PER_USER = 12;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ParleyCluster.class);

    final TestStack stack;
    final ParleyServices services;
    final String topicNamespace;
    final String keyspace;
    final TokenIssuer tokens = new TokenIssuer(SECRET, "parley", "parley");

    /** For JUnit's extension registration only. */
    public ParleyCluster() {
        this.stack = null;
        this.services = null;
        this.topicNamespace = null;
        this.keyspace = null;
    }

    private ParleyCluster(TestStack stack) {
        this(stack, Map.of());
    }

    /**
     * A deployment of its own for bulk tests (e.g. 10,000 messages from one sender): the per-user
     * rate limit, the frame rate and the backpressure bound lifted, deeper send queues. The caller
     * closes it.
     */
    static ParleyCluster bulk(TestStack stack) {
        return new ParleyCluster(stack, Map.of(
                "PARLEY_MAX_MESSAGES_PER_MINUTE", "100000000",
                "PARLEY_RATE_BURST", "100000000",
                "PARLEY_MAX_FRAMES_PER_SECOND", "100000",
                "PARLEY_SEND_QUEUE_LIMIT", "50000",
                "PARLEY_EDGE_MAX_PENDING_MS", "0"));
    }

    /** Connections per user (across nodes, and on one node) of {@link #limits}. */
    static final int LIMIT_PER_USER = 2;
    /** Connections per edge node of {@link #limits}. */
    static final int LIMIT_PER_NODE = 4;

    /**
     * A deployment of its own with small connection limits (ConnectionLimitsIT): {@value #LIMIT_PER_USER}
     * connections per user, {@value #LIMIT_PER_NODE} per edge node. The caller closes it.
     */
    static ParleyCluster limits(TestStack stack) {
        return new ParleyCluster(stack, Map.of(
                "PARLEY_MAX_CONNECTIONS_PER_USER", Integer.toString(LIMIT_PER_USER),
                "PARLEY_EDGE_MAX_CONNECTIONS", Integer.toString(LIMIT_PER_NODE)));
    }

    private ParleyCluster(TestStack stack, Map<String, String> overrides) {
        this.stack = stack;
        this.topicNamespace = stack.newTopicNamespace();
        this.keyspace = stack.newKeyspace();
        Path runDir = Path.of("target", "e2e-run").toAbsolutePath();
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StackConfig logs = StackConfig.forTests(Map.of(), runDir);
        ParleyServices.Target target = new ParleyServices.Target(stack.kafkaBootstrap(), stack.cassandraContactPoints(),
                stack.localDatacenter(), stack.redisUrl(), topicNamespace, keyspace, logs);
        Map<String, String> settings = new java.util.HashMap<>(Map.ofEntries(
                Map.entry("PARLEY_MAX_MESSAGES_PER_MINUTE", Integer.toString(RATE_PER_MINUTE)),
                Map.entry("PARLEY_RATE_BURST", Integer.toString(RATE_BURST)),
                Map.entry("PARLEY_MAX_MESSAGE_LENGTH", Integer.toString(MAX_MESSAGE_LENGTH)),
                Map.entry("PARLEY_MAX_FRAMES_PER_SECOND", "1000"),
                Map.entry("PARLEY_EDGE_LEASE_MS", Long.toString(LEASE_MS)),
                Map.entry("PARLEY_PRESENCE_GRACE_MS", Long.toString(GRACE_MS)),
                Map.entry("PARLEY_PRESENCE_TICK_MS", "200"),
                Map.entry("PARLEY_TYPING_TIMEOUT_MS", Long.toString(TYPING_TIMEOUT_MS)),
                Map.entry("PARLEY_EDGE_MAX_PENDING_MS", Long.toString(MAX_PENDING_MS)),
                Map.entry("PARLEY_LEASE_TICK_MS", Long.toString(LEASE_TICK_MS)),
                Map.entry("PARLEY_AUTH_TIMEOUT_MS", Long.toString(AUTH_TIMEOUT_MS)),
                Map.entry("PARLEY_MAX_ROOMS_PER_USER", Integer.toString(MAX_ROOMS_PER_USER)),
                Map.entry("PARLEY_ADMIN_TOKEN", ADMIN_TOKEN)));
        settings.putAll(overrides);
        ServicesConfig config = ServicesConfig.forTests(2, SECRET, settings);
        this.services = ParleyServices.start(target, config, line -> System.out.println("[parley-e2e] " + line));
    }

    /**
     * A cluster of its own (fresh topic namespace and keyspace, its own service processes), for a
     * test that breaks what the shared one needs (deletes a topic, kills a service); the caller
     * closes it.
     */
    static ParleyCluster isolated(TestStack stack) {
        return isolated(stack, Map.of());
    }

    /** {@link #isolated(TestStack)} with {@code overrides} of the services' environment. */
    static ParleyCluster isolated(TestStack stack, Map<String, String> overrides) {
        return new ParleyCluster(stack, overrides);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ParleyCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestStack testStack = (TestStack) new ParleyStackExtension().resolveParameter(parameter, context);
        return context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(ParleyCluster.class, key -> new ParleyCluster(testStack), ParleyCluster.class);
    }

    String token(String userId) {
        return tokens.mint(userId, Duration.ofHours(1));
    }

    /** A client of {@code userId} connected to edge node {@code edge} (1 or 2). */
    WsClient connect(String userId, int edge) {
        return WsClient.connect(userId + "@edge-" + edge, services.edgeUrl(edge - 1), token(userId));
    }

    /** The HTTP base URL of edge node {@code edge} (1 or 2). */
    String edgeHttpUrl(int edge) {
        return "http://127.0.0.1:" + services.config().edgePorts().get(edge - 1);
    }

    /** GET {@code url} with {@code Authorization: Bearer <token>}. */
    static java.net.http.HttpResponse<String> get(String url, String token) throws Exception {
        return HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", "Bearer " + token)
                .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code content} of every message of a history page's JSON body, in order. */
    static java.util.List<String> contents(String body) throws Exception {
        java.util.List<String> contents = new java.util.ArrayList<>();
        io.parley.contracts.json.Json.MAPPER.readTree(body).path("messages").forEach(m -> contents.add(m.path("content").asText()));
        return contents;
    }

    /** GET /health of edge node {@code edge} (1 or 2), as JSON. */
    com.fasterxml.jackson.databind.JsonNode edgeHealth(int edge) {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            edgeHttpUrl(edge) + "/health")).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return io.parley.contracts.json.Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (services != null) {
            services.close();
        }
    }
}
