// Owns the wiring and lifecycle of one history store: Cassandra session and schema, the
// room-events writer (every event raw, the known ones as messages, memberships...), the HTTP API, /metrics (Prometheus: Cassandra write latency and CQL write
// requests, request latency, the writer's consumer metrics, JVM) and /ready (Kafka, Cassandra, writer lag); started
// and stopped in order, by hand (no DI).
package io.parley.history;

import com.datastax.oss.driver.api.core.CqlSession;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.parley.contracts.ops.KafkaReachability;
import io.parley.contracts.ops.ProcessMetrics;
import io.parley.contracts.ops.Readiness;
import io.parley.contracts.CqlSchema;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.history.api.HistoryApi;
import io.parley.history.cql.BoundedCql;
import io.parley.history.api.RoomsApi;
import io.parley.history.cql.MessagePager;
import io.parley.history.cql.RawEventStore;
import io.parley.history.cql.MessageStore;
import io.parley.history.cql.Sessions;
import io.parley.history.writer.CassandraSink;
import io.parley.history.writer.RoomEventWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A running history store. {@link #start} opens the session, applies the schema (idempotent),
 * starts the writer and the web server; {@link #close} stops them in reverse: the writer first
 * (it commits what it stored), then the web server, then the session.
 */
public final class HistoryStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryStore.class);

    /** Latency buckets of the timers (ms): 1 .. 10 s. */
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    private final CqlSession session;
    private final RoomEventWriter writer;
    private final WebServer server;
    private final ProcessMetrics metrics;
    private final Readiness readiness;
    private final KafkaReachability kafka;

    private HistoryStore(CqlSession session, RoomEventWriter writer, WebServer server, ProcessMetrics metrics,
                         Readiness readiness, KafkaReachability kafka) {
        this.session = session;
        this.writer = writer;
        this.server = server;
        this.metrics = metrics;
        this.readiness = readiness;
        this.kafka = kafka;
    }

    public static HistoryStore start(HistoryConfig config) {
        TokenVerifier verifier = new TokenVerifier(config.auth());
        CqlSession session = Sessions.open(config.cassandraContactPoints(), config.cassandraLocalDc());
        RoomEventWriter writer = null;
        ProcessMetrics metrics = new ProcessMetrics("history");
        Readiness readiness = new Readiness();
        KafkaReachability kafka = new KafkaReachability(config.kafkaBootstrap(), "parley-history", Duration.ofSeconds(2));
        try {
            MessageStore store = MessageStore.open(session, config.keyspace(), CqlSchema.localReplication(), config.buckets());
            RawEventStore raw = new RawEventStore(session, config.keyspace(), config.buckets());
            BoundedCql cql = BoundedCql.defaults(session);
            CassandraSink sink = new CassandraSink(store, raw, cql);
            FunctionCounter.builder("parley.history.cql.writes", cql, BoundedCql::requests)
                    .description("CQL write requests the writer sent (a batch statement counts one)")
                    .register(metrics.registry());
            LOG.info("history store: schema applied to keyspace '{}' (bucket size {})", config.keyspace(), config.buckets().size());
            Timer writes = Timer.builder("parley.history.cassandra.write")
                    .description("One batch of room events written to Cassandra (the writer's unit of commit)")
                    .serviceLevelObjectives(BUCKETS).register(metrics.registry());
            writer = RoomEventWriter.start(new RoomEventWriter.Settings(config.kafkaBootstrap(), config.roomEventsTopic(),
                    config.groupId(), "parley-history-" + UUID.randomUUID().toString().substring(0, 8),
                    config.fetchMaxWaitMs(), config.fetchMinBytes()), events -> {
                        long started = System.nanoTime();
                        return sink.write(events).whenComplete((done, failure) ->
                                writes.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
                    });
            writer.bindMetrics(metrics);
            RoomEventWriter running = writer;
            long maxLag = io.parley.contracts.ops.Readiness.maxLagFromEnv(System.getenv());
            readiness.add("kafka", kafka)
                    .add("cassandra", () -> {
                        session.executeAsync("SELECT release_version FROM system.local").toCompletableFuture()
                                .get(2, TimeUnit.SECONDS);
                        return null;
                    })
                    .add("writer", () -> running.isRunning() ? null : "the room-events writer stopped")
                    .add("writer-lag", () -> {
                        long lag = running.lag();
                        return lag > maxLag ? "room-events " + lag + " records behind (bound " + maxLag + ")" : null;
                    })
                    .bindTo(metrics.registry())
                    .start(1_000);
            HistoryApi api = new HistoryApi(verifier, new MessagePager(config.buckets(), store), store, store, raw,
                    () -> !session.isClosed() && running.isRunning());
            RoomsApi rooms = new RoomsApi(verifier, store.rooms(), store);
            Timer requests = Timer.builder("parley.history.requests")
                    .description("History API requests, from arrival to the response sent")
                    .serviceLevelObjectives(BUCKETS).register(metrics.registry());
            WebServer server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    .routing(routing -> {
                        routing.get("/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, ProcessMetrics.CONTENT_TYPE)
                                        .send(metrics.scrape()))
                                .get("/ready", (req, res) -> res.status(readiness.isReady() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                                        .header(HeaderNames.CONTENT_TYPE, "application/json").send(readiness.json()))
;
                        routing.addFilter((chain, req, res) -> {
                            if (!req.path().path().startsWith("/v1/")) {
                                chain.proceed();
                                return;
                            }
                            long started = System.nanoTime();
                            try {
                                chain.proceed();
                            } finally {
                                requests.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                            }
                        });
                        api.routing(routing);
                        rooms.routing(routing);
                    })
                    .build()
                    .start();
            return new HistoryStore(session, writer, server, metrics, readiness, kafka);
        } catch (RuntimeException e) {
            if (writer != null) {
                writer.close();
            }
            readiness.close();
            kafka.close();
            session.close();
            throw e;
        }
    }

    /** The port the API listens on (the chosen one when configured with 0). */
    public int port() {
        return server.port();
    }

    public boolean isWriterRunning() {
        return writer.isRunning();
    }

    @Override
    public void close() {
        readiness.close();
        writer.close();
        server.stop();
        kafka.close();
        session.close();
        metrics.close();
        LOG.info("history store stopped");
    }
}
