/*
 * EdgeMetrics owns the edge node's own meters (Prometheus names parley_edge_*): connections by
 * protocol, commands by type and outcome, errors by code, messages in, deliveries out, the
 * end-to-end delivery latency and ack latency histograms, send-queue depth and slow-consumer
 * closes. Every meter is created once and cached (per command class, per error code), so the hot
 * paths only increment. One per process: EdgeNode installs it; sockets, the send queues and the
 * command service reach it through current() (a node per JVM; tests running several nodes in
 * one JVM share the counters).
 */
package io.parley.edge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.contracts.ErrorCode;
import io.parley.edge.session.ClientConnection;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Thread-safe. */
public final class EdgeMetrics {
    /** Histogram buckets of the latency timers (seed 002's targets: 100, 150, 200 ms among them). */
    static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(150),
            Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** What a command came to at this edge. */
    public enum Outcome {
        /** Published to Kafka (or, for edge-answered commands, answered ok). */
        ACCEPTED,
        /** Refused before publishing: over the user's rate limit. */
        RATE_LIMITED,
        /** Not accepted: Kafka did not take it, the read view did not answer, or the node is draining. */
        UNAVAILABLE;

        final String tag = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** One command type's counters, one per outcome. */
    public static final class CommandMeter {
        private final Counter[] byOutcome = new Counter[Outcome.values().length];

        private CommandMeter(MeterRegistry registry, String type) {
            for (Outcome outcome : Outcome.values()) {
                byOutcome[outcome.ordinal()] = Counter.builder("parley.edge.commands")
                        .description("Validated client commands by type and outcome at this edge node")
                        .tags("type", type, "outcome", outcome.tag).register(registry);
            }
        }

        public void count(Outcome outcome) {
            byOutcome[outcome.ordinal()].increment();
        }
    }

    private static volatile EdgeMetrics current = new EdgeMetrics(new SimpleMeterRegistry());

    private final MeterRegistry registry;
    private final ClassValue<CommandMeter> commands;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Counter messagesIn;
    private final Counter deliveriesOut;
    private final Counter repliesOut;
    private final Counter slowConsumerCloses;
    private final Counter recoveriesComplete;
    private final Counter recoveriesTruncated;
    private final Counter recoveredMessages;
    private final Timer deliveryLatency;
    private final Timer ackLatency;

    public EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.commands = new ClassValue<>() {
            @Override
            protected CommandMeter computeValue(Class<?> type) {
                return new CommandMeter(registry, commandName(type));
            }
        };
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, Counter.builder("parley.edge.errors")
                    .description("Error replies sent to clients, by error code")
                    .tag("code", code.name()).register(registry));
        }
        messagesIn = Counter.builder("parley.edge.messages.in")
                .description("send-message commands accepted (published) by this edge node").register(registry);
        deliveriesOut = Counter.builder("parley.edge.deliveries.out")
                .description("Room events written to sockets (one per recipient socket)").register(registry);
        repliesOut = Counter.builder("parley.edge.replies.out")
                .description("Replies to commands written to sockets").register(registry);
        slowConsumerCloses = Counter.builder("parley.edge.slow.consumer.closes")
                .description("Sockets closed because their send queue was full").register(registry);
        recoveriesComplete = Counter.builder("parley.edge.recoveries")
                .description("Resumed rooms whose missed messages were all written (room-recovered, not truncated)")
                .tag("outcome", "complete").register(registry);
        recoveriesTruncated = Counter.builder("parley.edge.recoveries")
                .description("Resumed rooms whose missed messages were all written (room-recovered, not truncated)")
                .tag("outcome", "truncated").register(registry);
        recoveredMessages = Counter.builder("parley.edge.recovered.messages")
                .description("Missed messages written to resuming sockets (new-message with recovered: true)").register(registry);
        deliveryLatency = Timer.builder("parley.edge.delivery.latency")
                .description("From the edge's accept of the command that caused a room event to the write of the event to a recipient socket completing")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        ackLatency = Timer.builder("parley.edge.ack.latency")
                .description("From the edge's accept of a command to the write of the processors' reply to its socket completing")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    /** The process's metrics (a throw-away registry until {@link #install}). */
    public static EdgeMetrics current() {
        return current;
    }

    public static void install(EdgeMetrics metrics) {
        current = metrics;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Gauges read at scrape time from the live connections: connections by protocol and send-queue
     * depth (total and largest). {@code connections} gives a snapshot.
     */
    public void bindConnections(Supplier<? extends Iterable<? extends ClientConnection>> connections,
                                Iterable<String> protocols) {
        for (String protocol : protocols) {
            Gauge.builder("parley.edge.connections", connections, s -> count(s.get(), protocol))
                    .description("Open client connections by protocol").tag("protocol", protocol).strongReference(true).register(registry);
        }
        Gauge.builder("parley.edge.send.queue.depth", connections, s -> queueDepth(s.get(), false))
                .description("Frames waiting in every socket's send queue").tag("stat", "total").strongReference(true).register(registry);
        Gauge.builder("parley.edge.send.queue.depth", connections, s -> queueDepth(s.get(), true))
                .description("Frames waiting in every socket's send queue").tag("stat", "max").strongReference(true).register(registry);
    }

    /** The counters of this command's type (cached per class). */
    public CommandMeter command(Object command) {
        return commands.get(command.getClass());
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void error(ErrorCode code) {
        if (code != null) {
            errors.get(code).increment();
        }
    }

    /** A resumed room's recovery ended with room-recovered. */
    public void recovery(boolean truncated) {
        (truncated ? recoveriesTruncated : recoveriesComplete).increment();
    }

    /** A missed message was written to a resuming socket. */
    public void recoveredMessage() {
        recoveredMessages.increment();
    }

    public void slowConsumerClosed() {
        slowConsumerCloses.increment();
    }

    /** A frame stamped by {@link WriteStamp} was written to its socket. */
    public void written(int kind, long acceptedAtMs, long nowMs) {
        if (kind == WriteStamp.DELIVERY) {
            deliveriesOut.increment();
            if (acceptedAtMs > 0) {
                deliveryLatency.record(Math.max(0, nowMs - acceptedAtMs), TimeUnit.MILLISECONDS);
            }
        } else if (kind == WriteStamp.REPLY) {
            repliesOut.increment();
            if (acceptedAtMs > 0) {
                ackLatency.record(Math.max(0, nowMs - acceptedAtMs), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** {@code SendMessage} -> {@code send-message}. */
    static String commandName(Class<?> type) {
        String simple = type.getSimpleName();
        StringBuilder out = new StringBuilder(simple.length() + 4);
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    out.append('-');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static double count(Iterable<? extends ClientConnection> connections, String protocol) {
        int n = 0;
        for (ClientConnection c : connections) {
            if (protocol.equals(c.protocol())) {
                n++;
            }
        }
        return n;
    }

    private static double queueDepth(Iterable<? extends ClientConnection> connections, boolean max) {
        long total = 0;
        int largest = 0;
        for (ClientConnection c : connections) {
            int depth = Math.max(0, c.queueDepth());
            total += depth;
            largest = Math.max(largest, depth);
        }
        return max ? largest : total;
    }
}
