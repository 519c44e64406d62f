/*
 * Main owns the stream-processors process: it reads ProcessorsConfig, wires the room, rate-limit,
 * presence and node-lease stages (and the Redis presence view) into one Kafka Streams application (at-least-once, low producer linger,
 * poison records logged and skipped), serves GET /health (liveness), /ready (readiness: Kafka
 * answers, streams RUNNING, Redis answers, lag within its bound) and /metrics (Prometheus: the
 * Streams and client metrics through micrometer's binder, lease counters, JVM) on 127.0.0.1, and closes the streams
 * cleanly on SIGTERM. One log line per lifecycle event; nothing per message.
 */
package io.parley.processors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.contracts.Topic;
import io.parley.contracts.event.UserEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.parley.contracts.ops.ConsumerLag;
import io.parley.contracts.ops.KafkaReachability;
import io.parley.contracts.ops.ProcessMetrics;
import io.parley.contracts.ops.Readiness;
import io.parley.processors.lease.LeaseCounters;
import io.parley.processors.lease.LeaseTopology;
import io.parley.processors.lease.NodeExpired;
import io.parley.processors.presence.PresenceFanout;
import io.parley.processors.presence.PresenceTopology;
import io.parley.processors.presence.PresenceView;
import io.parley.processors.presence.RedisPresenceView;
import io.parley.processors.ratelimit.RateLimitTopology;
import io.parley.processors.room.RoomTopology;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/** Entry point: {@code java -cp ... io.parley.processors.Main}; settings from the environment (see {@link ProcessorsConfig}). */
public final class Main {
    static {
        // One line per log record (JUL's default is two); set before the first logger exists.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Main.class);
    /** Kafka's clients log every rebalance step at INFO: warnings only (held here so JUL keeps the level). */
    private static final java.util.logging.Logger KAFKA_LOGS = java.util.logging.Logger.getLogger("org.apache.kafka");
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private Main() {}

    public static void main(String[] args) throws Exception {
        KAFKA_LOGS.setLevel(java.util.logging.Level.WARNING);
        ProcessorsConfig config;
        long maxLag;
        try {
            config = ProcessorsConfig.fromEnv();
            maxLag = io.parley.contracts.ops.Readiness.maxLagFromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("parley-processors: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }

        PresenceView view = config.redisUrl() == null ? PresenceView.NONE
                : new RedisPresenceView(config.redisUrl(), config.topicNamespace(), config.applicationId());
        Topology topology = topology(config, view);
        log.debug("topology:\n{}", topology.describe());
        KafkaStreams streams = new KafkaStreams(topology, streamsProperties(config));
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            log.info("streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                System.out.println("parley-processors RUNNING");
            }
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });

        ProcessMetrics metrics = processMetrics(streams);
        KafkaReachability kafka = new KafkaReachability(config.kafkaBootstrap(), config.applicationId(), Duration.ofSeconds(2));
        Readiness readiness = new Readiness().add("kafka", kafka)
                .add("streams", () -> streams.state() == KafkaStreams.State.RUNNING ? null : "streams " + streams.state())
                .add("lag", () -> {
                    long lag = ConsumerLag.max(streams.metrics());
                    return lag > maxLag ? "input " + lag + " records behind (bound " + maxLag + ")" : null;
                });
        if (view instanceof RedisPresenceView redis) {
            readiness.add("redis", () -> redis.problem(1_000));
        }
        readiness.bindTo(metrics.registry());
        HttpServer health = healthServer(config.healthPort(), streams);
        serveOps(health, metrics, readiness);
        health.start();
        readiness.start(1_000);
        System.out.println("parley-processors health on port " + health.getAddress().getPort());

        // JUL resets its handlers in a shutdown hook of its own, so these lines go to stdout directly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("parley-processors stopping");
            boolean closed = streams.close(CLOSE_TIMEOUT);
            health.stop(0);
            readiness.close();
            kafka.close();
            view.close();
            System.out.println(closed ? "parley-processors stopped" : "parley-processors stopped (close timed out)");
        }, "parley-processors-shutdown"));

        streams.start();
        stopped.await();
        if (streams.state() == KafkaStreams.State.ERROR) {
            log.error("streams failed; exiting");
            health.stop(0);
            System.exit(1);
        }
    }

    /** Every stage in one topology, without a presence view. */
    public static Topology topology(ProcessorsConfig config) {
        return topology(config, PresenceView.NONE);
    }

    /**
     * Every stage in one topology: node leases (edge-nodes) -> expiries broadcast to the presence and
     * room stages; user-events -> rate limits and presence; presence diffs -> (presence-fanout, by
     * room) -> the room stage, which also writes membership changes back to user-events.
     */
    public static Topology topology(ProcessorsConfig config, PresenceView view) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, NodeExpired> expiries = new LeaseTopology(config).build(builder);
        KStream<String, UserEvent> userEvents = builder.stream(config.topic(Topic.USER_EVENTS),
                Consumed.with(Serdes.String(), io.parley.contracts.json.Serdes.userEvent()).withName("user-events-source"));
        new RateLimitTopology(config).build(builder, userEvents);
        KStream<String, PresenceFanout> presence = new PresenceTopology(config, view).build(builder, userEvents, expiries);
        new RoomTopology(config).build(builder, presence, expiries);
        return builder.build();
    }

    /** The Kafka Streams settings of the application. */
    public static Properties streamsProperties(ProcessorsConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        // At-least-once plus idempotent outputs (see room.RoomProcessor): no transaction wait on the message path.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        // Streams' producers linger 100 ms by default: a whole hop of chat latency (STACK.md).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), config.lingerMs());
        // Fewer, fuller fetches when set (docs/benchmarks.md: the broker's CPU is per request).
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), config.fetchMinBytes());
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), config.fetchMaxWaitMs());
        // Ride out a Kafka restart: a send (the lease tick from its punctuator first) waits up to 4 min
        // for the broker instead of 60 s, whose TimeoutException ended the application (issue 13's
        // chaos test; under the default 5 min max.poll.interval.ms).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG), 240_000);
        // Keep the changelog write order the room processor relies on, even across retries.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), true);
        // A record that does not parse is logged and skipped: it costs nothing else.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // No global stores here; opting in now silences a startup warning and is the Kafka 5.0 default.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return props;
    }

    /**
     * The process's metrics: JVM, the Streams application's own metrics (task, thread, processor
     * node, state store, and its clients' consumer lag and producer figures) through micrometer's
     * KafkaStreamsMetrics, the streams state, and the lease counters.
     */
    static ProcessMetrics processMetrics(KafkaStreams streams) {
        ProcessMetrics metrics = new ProcessMetrics("processors");
        new KafkaStreamsMetrics(streams, io.micrometer.core.instrument.Tags.empty(), metrics.kafkaScheduler(),
                ProcessMetrics.KAFKA_REFRESH).bindTo(metrics.registry());
        Gauge.builder("parley.processors.streams.running", streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while the Streams application is RUNNING").register(metrics.registry());
        Gauge.builder("parley.processors.streams.state", streams, s -> s.state().ordinal())
                .description("KafkaStreams.State ordinal: 0 CREATED, 1 REBALANCING, 2 RUNNING, 3 PENDING_SHUTDOWN, 4 NOT_RUNNING, 5 PENDING_ERROR, 6 ERROR")
                .register(metrics.registry());
        FunctionCounter.builder("parley.processors.lease.renewals", LeaseCounters.RENEWALS, java.util.concurrent.atomic.LongAdder::sum)
                .description("Edge-node heartbeats that renewed a lease").register(metrics.registry());
        FunctionCounter.builder("parley.processors.lease.expiries", LeaseCounters.EXPIRIES, java.util.concurrent.atomic.LongAdder::sum)
                .description("Edge-node leases that expired (the node's connections dropped)").register(metrics.registry());
        return metrics;
    }

    /** GET /metrics (Prometheus text) and GET /ready (200 READY / 503 NOT_READY with the problems). */
    static void serveOps(HttpServer server, ProcessMetrics metrics, Readiness readiness) {
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                byte[] bytes = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", ProcessMetrics.CONTENT_TYPE);
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.createContext("/ready", exchange -> {
            try (exchange) {
                respond(exchange, readiness.isReady() ? 200 : 503, readiness.json());
            }
        });
    }

    /** GET /health: 200 {"status":"UP"} while the streams are RUNNING, else 503 with the state. */
    static HttpServer healthServer(int port, KafkaStreams streams) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/health", exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod())) {
                    respond(exchange, 405, "{\"status\":\"METHOD_NOT_ALLOWED\"}");
                    return;
                }
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.RUNNING) {
                    respond(exchange, 200, "{\"status\":\"UP\"}");
                } else {
                    respond(exchange, 503, "{\"status\":\"DOWN\",\"streams\":\"" + state + "\"}");
                }
            }
        });
        return server;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
