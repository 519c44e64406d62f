/*
 * DeliveriesConsumer owns reading this node's slot of the deliveries topic: a KafkaConsumer with
 * assign() to exactly partition = slot (no consumer group, no commits), starting at the end (only
 * live deliveries matter to live sockets), on its own thread, handing each record to the
 * DeliveryHandler in order.
 */
package io.parley.edge.delivery;

import io.parley.contracts.ops.ProcessMetrics;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.json.Serdes;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Start once, stop once. */
public final class DeliveriesConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveriesConsumer.class);

    private final KafkaConsumer<String, Delivery> consumer;
    private final TopicPartition partition;
    private final DeliveryHandler handler;
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean stopping;
    /** Records behind the partition's end after the last poll; -1 until known. */
    private volatile long lag = -1;

    public DeliveriesConsumer(String bootstrap, String topic, int slot, String clientId, DeliveryHandler handler) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-deliveries",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100),
                new StringDeserializer(), Serdes.delivery().deserializer());
        this.partition = new TopicPartition(topic, slot);
        this.handler = handler;
        this.thread = Thread.ofPlatform().name("parley-deliveries").daemon(true).unstarted(this::run);
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
                    for (ConsumerRecord<String, Delivery> record : consumer.poll(Duration.ofMillis(500))) {
                        try {
                            handler.handle(record.value());
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
                LOG.error("deliveries consumer woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("deliveries consumer failed; this node no longer delivers", e);
        } finally {
            running = false;
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
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
