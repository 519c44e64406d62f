// Owns the room-events consumer: Kafka -> EventSink (Cassandra), at-least-once, offsets committed
// only after every write of a poll succeeded.
package io.parley.history.writer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Consumes {@code room-events} (auto commit off, earliest) on a thread of its own. Per poll: the
 * records are decoded (a record that does not decode is logged and skipped), handed to the sink as
 * one batch, and the poll's offsets are committed only once the whole batch is stored. A failing
 * sink (Cassandra down) is retried with exponential backoff, with the partitions paused and
 * {@code poll} still called so the consumer keeps its group membership; nothing is committed
 * meanwhile, and the writer never gives up. Replays are harmless: the sink is idempotent.
 *
 * <p>{@link #close} stops after the batch in hand: stored batches are committed, a batch still
 * failing is left uncommitted (it will be consumed again).
 */
public final class RoomEventWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomEventWriter.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventSink sink;
    private final EventDecoder decoder = new EventDecoder();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean failed;

    /**
     * Configuration of the consumer; the caller starts it with {@link #start}. A fetch returns once
     * it holds {@code fetchMinBytes} or once it waited {@code fetchMaxWaitMs}: a stored message is
     * readable at most about that much later.
     */
    public record Settings(String bootstrap, String topic, String groupId, String clientId, int fetchMaxWaitMs,
                           int fetchMinBytes) {
        /** The defaults of the history store's config for the fetch. */
        public Settings(String bootstrap, String topic, String groupId, String clientId) {
            this(bootstrap, topic, groupId, clientId, io.parley.history.HistoryConfig.DEFAULT_FETCH_MAX_WAIT_MS,
                    io.parley.history.HistoryConfig.DEFAULT_FETCH_MIN_BYTES);
        }
    }

    private RoomEventWriter(Settings settings, EventSink sink) {
        this.topic = settings.topic();
        this.sink = sink;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // History is not on the delivery path: wait up to fetchMaxWaitMs for a fuller fetch, so a
        // poll brings many events (several per room) and costs one Cassandra round (CQL requests per
        // room, not per message) and one offset commit for all of them (with the default
        // fetch.min.bytes of 1, a fetch returns as soon as one event is there).
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, settings.fetchMinBytes());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, settings.fetchMaxWaitMs());
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("parley-history-writer").unstarted(this::run);
    }

    /** Subscribes and starts consuming on a thread of its own. */
    public static RoomEventWriter start(Settings settings, EventSink sink) {
        RoomEventWriter writer = new RoomEventWriter(settings, sink);
        writer.thread.start();
        return writer;
    }

    /** The consumer's own metrics (lag per partition, fetch rates) as kafka_consumer_* meters. */
    public void bindMetrics(io.parley.contracts.ops.ProcessMetrics metrics) {
        metrics.bindKafka(consumer);
    }

    /** The consumer's largest partition lag over the metrics window (readiness); -1 until known. */
    public long lag() {
        return io.parley.contracts.ops.ConsumerLag.max(consumer.metrics());
    }

    /** True from start until {@link #close}, unless the consumer failed for good. */
    public boolean isRunning() {
        return running && !failed && thread.isAlive();
    }

    private void run() {
        LOG.info("history writer consuming {}", topic);
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (records.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
                records.forEach(batch::add);
                if (!storeWithRetry(batch)) {
                    break; // stopping while the sink still fails: nothing committed
                }
                commit(batch);
            }
        } catch (WakeupException e) {
            // close() woke a blocking poll: stop
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("history writer stopped by an unexpected error", e);
        } finally {
            try {
                consumer.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the room-events consumer failed: {}", e.toString());
            }
            LOG.info("history writer stopped");
        }
    }

    /**
     * Writes the batch until it succeeds; false if the writer is stopping before it did. Records
     * that arrive meanwhile (a partition assigned in a rebalance during the paused polls) join the
     * batch, so nothing is skipped.
     */
    private boolean storeWithRetry(List<ConsumerRecord<String, byte[]>> batch) {
        long backoff = MIN_BACKOFF_MS;
        int failures = 0;
        List<LoggedEvent> events = decode(batch);
        while (true) {
            try {
                sink.write(events).toCompletableFuture().get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (failures > 0) {
                    consumer.resume(consumer.paused());
                    LOG.info("history writer: storage recovered after {} failed attempts", failures);
                }
                return true;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (failures++ == 0) {
                    LOG.warn("history writer: storing a batch failed ({}), retrying with backoff, not committing", cause.toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (!running || awaitStop(backoff)) {
                return false;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            // Keep the group membership (max.poll.interval.ms) without taking new records.
            consumer.pause(consumer.assignment());
            List<ConsumerRecord<String, byte[]>> late = new ArrayList<>();
            consumer.poll(Duration.ZERO).forEach(late::add);
            batch.addAll(late);
            events.addAll(decode(late));
        }
    }

    private boolean awaitStop(long millis) {
        try {
            return stopping.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The batch's events; records that are no room event are logged and skipped (unknown types are kept). */
    private List<LoggedEvent> decode(List<ConsumerRecord<String, byte[]>> batch) {
        List<LoggedEvent> events = new ArrayList<>(batch.size());
        for (ConsumerRecord<String, byte[]> record : batch) {
            LoggedEvent event = decoder.decode(record.topic(), record.value());
            if (event == null) {
                LOG.warn("skipping a record that is no room event at {}-{}@{}", record.topic(), record.partition(), record.offset());
                continue;
            }
            events.add(event);
        }
        return events;
    }

    /** Commits the offsets after the batch, for the partitions still assigned to this consumer. */
    private void commit(List<ConsumerRecord<String, byte[]>> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : batch) {
            offsets.merge(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        Set<TopicPartition> assigned = consumer.assignment();
        offsets.keySet().retainAll(assigned);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            consumer.commitSync(offsets); // close() raced the commit: the wakeup is spent, commit what was stored
            throw e;
        } catch (org.apache.kafka.clients.consumer.CommitFailedException e) {
            // A rebalance took partitions away: their new owner consumes the batch again (idempotent).
            LOG.info("history writer: commit refused after a rebalance, the new owner will store those records again");
        }
    }

    /** Stops consuming (the batch in hand is finished and committed if stored) and waits for the thread. */
    @Override
    public void close() {
        running = false;
        stopping.countDown();
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
