/*
 * DeliveriesConsumer owns reading this node's slot of the deliveries topic: a KafkaConsumer with
 * assign() to exactly partition = slot (no consumer group, no commits), on its own thread, handing
 * each record to the DeliveryHandler in order, and what happens when that reading fails.
 *
 * Start: at the partition's end, positioned before the node accepts its first socket (Main starts
 * this before the server). Deliveries queued for the slot while the node was down are addressed to
 * connections of an earlier boot: those sockets died with the process, and the new boot id in the
 * heartbeat makes the processors drop those connections. Nothing a live client needs is among
 * them: its reply or event is in the room's log, and a client that reconnects resumes by seq.
 * Failure: any error that escapes the poll loop (Kafka gave up, the position fell out of the log
 * because the partition was deleted, recreated or truncated: auto.offset.reset is "none", so the
 * consumer never silently skips to the end; an Error in the handler) is fatal. The thread calls the
 * failure callback (EdgeNode.deliveriesFailed: every socket is closed with the reconnect code so its
 * client resumes on another node, /health and /ready turn 503, new sockets are refused) and ends.
 * The process stays up and reports DOWN until it is restarted.
 * Records are read by DeliveryDecoder (a to-room record keeps its data's JSON text, no tree);
 * fetch.min.bytes and fetch.max.wait.ms come from PARLEY_EDGE_FETCH_MIN_BYTES / _MAX_WAIT_MS.
 */
package io.parley.edge.delivery;

import io.parley.contracts.ops.ProcessMetrics;
import io.parley.contracts.event.Delivery;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Start once, stop once. */
public final class DeliveriesConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveriesConsumer.class);

    /** Keys (the node id) are not read: no String per record. */
    private final KafkaConsumer<Void, Object> consumer;
    private final TopicPartition partition;
    private final DeliveryHandler handler;
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean stopping;
    /** Records behind the partition's end after the last poll; -1 until known. */
    private volatile long lag = -1;
    private volatile java.util.function.Consumer<Throwable> onFailure = e -> { };

    /** {@code fetchMinBytes} / {@code fetchMaxWaitMs}: the consumer's fetch.min.bytes / fetch.max.wait.ms. */
    public DeliveriesConsumer(String bootstrap, String topic, int slot, String clientId, DeliveryHandler handler,
                              int fetchMinBytes, int fetchMaxWaitMs) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-deliveries",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                // Never skip silently: a position outside the log is a failure (see the header).
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, fetchMinBytes,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs),
                (org.apache.kafka.common.serialization.Deserializer<Void>) (name, key) -> null, new DeliveryDecoder());
        this.partition = new TopicPartition(topic, slot);
        this.handler = handler;
        this.thread = Thread.ofPlatform().name("parley-deliveries").daemon(true).unstarted(this::run);
    }

    /** What to do (once, on the deliveries thread) when the consumer fails fatally; set before start. */
    public DeliveriesConsumer onFailure(java.util.function.Consumer<Throwable> onFailure) {
        this.onFailure = onFailure;
        return this;
    }

    /** Assigns the slot's partition, positions at its end (fails if Kafka or the topic is missing), starts polling. */
    public void start(Duration timeout) {
        List<?> partitions = consumer.partitionsFor(partition.topic(), timeout);
        if (partitions == null || partitions.size() <= partition.partition()) {
            consumer.close();
            throw new IllegalStateException("topic " + partition.topic() + " has no partition " + partition.partition()
                    + " (edge slot); it has " + (partitions == null ? 0 : partitions.size()));
        }
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        long position = consumer.position(partition, timeout);
        running = true;
        thread.start();
        LOG.info("reading deliveries from {} at offset {}", partition, position);
    }

    private void run() {
        try {
            while (!stopping) {
                try {
                    for (ConsumerRecord<Void, Object> record : consumer.poll(Duration.ofMillis(500))) {
                        try {
                            switch (record.value()) {
                                case RoomPush push -> handler.handle(push);
                                case Delivery delivery -> handler.handle(delivery);
                                case null, default -> { } // a tombstone: nothing to deliver
                            }
                        } catch (RuntimeException e) {
                            LOG.error("delivery at {}@{} failed; skipped", partition, record.offset(), e);
                        }
                    }
                    lag = consumer.currentLag(partition).orElse(lag);
                } catch (RecordDeserializationException e) {
                    LOG.error("undecodable delivery at {}@{}; skipped: {}", e.topicPartition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                fail(e);
            }
        } catch (Throwable e) {
            fail(e);
        } finally {
            running = false;
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private void fail(Throwable e) {
        running = false;
        LOG.error("deliveries consumer failed; this node no longer delivers and closes its sockets", e);
        try {
            onFailure.accept(e);
        } catch (Throwable t) {
            LOG.error("closing the sockets after the deliveries consumer failed went wrong", t);
        }
    }

    /** The consumer's own metrics (lag per partition, fetch rates...) as kafka_consumer_* meters. */
    public void bindMetrics(ProcessMetrics metrics) {
        metrics.bindKafka(consumer);
    }

    /** Records of the slot's partition not yet read, as of the last poll; -1 until known. */
    public long lag() {
        return lag;
    }

    public boolean isRunning() {
        return running && thread.isAlive();
    }

    public void stop(long timeoutMs) {
        stopping = true;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
