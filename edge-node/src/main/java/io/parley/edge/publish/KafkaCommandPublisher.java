/*
 * KafkaCommandPublisher owns the edge's Kafka producer (acks=all, idempotent, low linger) and the
 * hand-off that keeps socket threads off it: KafkaProducer.send can block (metadata fetch, full
 * buffer, up to max.block.ms), so callers only enqueue into a bounded queue; one dispatcher
 * thread serialises and sends in FIFO order (so per-key order is the order of the calls). A full
 * queue or a failed send is reported to the caller's Outcome, which answers UNAVAILABLE.
 */
package io.parley.edge.publish;

import io.parley.contracts.Topic;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.JsonSerde;
import io.parley.contracts.json.Serdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** The Kafka implementation of {@link CommandPublisher}. */
public final class KafkaCommandPublisher implements CommandPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommandPublisher.class);
    /** Records waiting for the dispatcher; beyond it publishes fail fast (UNAVAILABLE). */
    static final int HANDOFF_CAPACITY = 65_536;

    private record Pending(String topic, String key, byte[] value, Outcome outcome) {}

    private static final Pending STOP = new Pending(null, null, null, null);

    private final Producer<String, byte[]> producer;
    private final String roomCommands;
    private final String userEvents;
    private final String edgeNodes;
    private final JsonSerde<RoomCommand> roomCommandSerde = Serdes.roomCommand();
    private final JsonSerde<UserEvent> userEventSerde = Serdes.userEvent();
    private final JsonSerde<EdgeHeartbeat> heartbeatSerde = Serdes.edgeHeartbeat();
    private final BlockingQueue<Pending> handoff = new ArrayBlockingQueue<>(HANDOFF_CAPACITY);
    private final Thread dispatcher;
    private volatile boolean closed;

    public KafkaCommandPublisher(String bootstrap, String namespace, String clientId, int lingerMs) {
        this(new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                // A client waits for its ack: give up (UNAVAILABLE) after 15 s rather than the default 2 min.
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000 + lingerMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                // Only the dispatcher thread can block in send(); bound it.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000),
                new StringSerializer(), new ByteArraySerializer()), namespace);
    }

    KafkaCommandPublisher(Producer<String, byte[]> producer, String namespace) {
        this.producer = producer;
        this.roomCommands = Topic.ROOM_COMMANDS.nameIn(namespace);
        this.userEvents = Topic.USER_EVENTS.nameIn(namespace);
        this.edgeNodes = Topic.EDGE_NODES.nameIn(namespace);
        this.dispatcher = Thread.ofPlatform().name("parley-publisher").daemon(true).unstarted(this::dispatch);
        this.dispatcher.start();
    }

    /**
     * Fetches the topics' metadata once (so the first publish does not wait for it). Call after
     * the topics are known to exist: on a broker with auto.create.topics.enable a metadata request
     * would create a missing topic with the broker's defaults.
     */
    public void awaitTopics(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : new String[] {roomCommands, userEvents, edgeNodes}) {
            while (true) {
                try {
                    if (!producer.partitionsFor(topic).isEmpty()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka topic " + topic + " is not reachable: " + e.getMessage(), e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka topic " + topic + " does not exist");
                }
                sleep(200);
            }
        }
    }

    @Override
    public void publish(RoomCommand command, Outcome outcome) {
        enqueue(roomCommands, command.roomId(), roomCommandSerde.serialize(roomCommands, command), outcome);
    }

    @Override
    public void publish(UserEvent event, Outcome outcome) {
        enqueue(userEvents, event.userId(), userEventSerde.serialize(userEvents, event), outcome);
    }

    @Override
    public void publish(EdgeHeartbeat heartbeat, Outcome outcome) {
        enqueue(edgeNodes, heartbeat.edgeNodeId(), heartbeatSerde.serialize(edgeNodes, heartbeat), outcome);
    }

    private void enqueue(String topic, String key, byte[] value, Outcome outcome) {
        if (closed || !handoff.offer(new Pending(topic, key, value, outcome))) {
            outcome.completed(new RejectedExecutionException(closed ? "publisher closed" : "publisher queue full"));
        }
    }

    private void dispatch() {
        while (true) {
            Pending pending;
            try {
                pending = handoff.take();
            } catch (InterruptedException e) {
                return;
            }
            if (pending == STOP) {
                return;
            }
            Outcome outcome = pending.outcome();
            try {
                producer.send(new ProducerRecord<>(pending.topic(), pending.key(), pending.value()),
                        (metadata, exception) -> complete(outcome, exception));
            } catch (RuntimeException e) {
                complete(outcome, e);
            }
        }
    }

    private static void complete(Outcome outcome, Exception failure) {
        try {
            outcome.completed(failure);
        } catch (RuntimeException e) {
            LOG.warn("publish outcome handler failed", e);
        }
    }

    /** The producer's own metrics (send rates, errors, request latency) as kafka_producer_* meters. */
    public void bindMetrics(io.parley.contracts.ops.ProcessMetrics metrics) {
        metrics.bindKafka(producer);
    }

    @Override
    public boolean isRunning() {
        return !closed && dispatcher.isAlive();
    }

    @Override
    public void close(long timeoutMs) {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.currentTimeMillis() + timeoutMs;
        try {
            if (handoff.offer(STOP, Math.max(1, timeoutMs), TimeUnit.MILLISECONDS)) {
                dispatcher.join(Math.max(1, deadline - System.currentTimeMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.interrupt();
        producer.close(Duration.ofMillis(Math.max(0, deadline - System.currentTimeMillis())));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
