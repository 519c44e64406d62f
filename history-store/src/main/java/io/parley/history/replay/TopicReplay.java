// Owns the replay of room-events into another Kafka topic (analytics backfill): which records (a
// room, a time range, or all), from where (offset 0, or offsetsForTimes), at what rate, in what order.
package io.parley.history.replay;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies the selected records of the source topic (room-events), as they are (key, value, headers,
 * timestamp), into the target topic, up to the source's end offsets at the start. Selection: one
 * room (only its partition is read: the key's partition by Kafka's default partitioner, as the
 * processors produce), and/or a time range {@code [fromTime, toTime)} of the records' Kafka
 * timestamps (reading starts at {@code offsetsForTimes(fromTime)}; timestamps are not monotonic, so
 * each partition is read to its end and filtered), or everything. Order: a record keeps its
 * partition when the target has the source's partition count (so each room's events stay in seq
 * order in one partition); otherwise it is partitioned by key (still per-room order). The producer
 * is idempotent with acks=all, so retries neither duplicate nor reorder. The rate is held with a
 * fixed schedule (record n is not sent before start + n / rate). A missing target topic is created
 * with the source's partition count.
 */
public final class TopicReplay {
    /** What to copy where, and how fast ({@code eventsPerSecond} 0: as fast as it goes). */
    public record Settings(String bootstrap, String source, String target, String roomId, Instant fromTime,
                           Instant toTime, double eventsPerSecond, Duration progressEvery) {}

    /** Records copied, records read, and the time it took. */
    public record Result(long copied, long read, Duration took) {
        public double rate() {
            return took.toNanos() == 0 ? 0 : copied * 1e9 / took.toNanos();
        }
    }

    private final Settings settings;
    private final PrintStream progress;

    public TopicReplay(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Result run() throws InterruptedException {
        long started = System.nanoTime();
        int targetPartitions = ensureTarget();
        Map<String, Object> consumerProps = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000,
                ConsumerConfig.CLIENT_ID_CONFIG, "parley-replay");
        Map<String, Object> producerProps = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "parley-replay");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            int sourcePartitions = consumer.partitionsFor(settings.source()).size();
            byte[] roomKey = settings.roomId() == null ? null : settings.roomId().getBytes(StandardCharsets.UTF_8);
            List<TopicPartition> partitions = new ArrayList<>();
            if (roomKey != null) {
                partitions.add(new TopicPartition(settings.source(), Utils.toPositive(Utils.murmur2(roomKey)) % sourcePartitions));
            } else {
                for (int p = 0; p < sourcePartitions; p++) {
                    partitions.add(new TopicPartition(settings.source(), p));
                }
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            seekToStart(consumer, partitions, ends);
            boolean keepPartition = targetPartitions == sourcePartitions;
            long fromMs = settings.fromTime() == null ? Long.MIN_VALUE : settings.fromTime().toEpochMilli();
            long toMs = settings.toTime() == null ? Long.MAX_VALUE : settings.toTime().toEpochMilli();
            long nanosPerEvent = settings.eventsPerSecond() <= 0 ? 0 : (long) (1e9 / settings.eventsPerSecond());
            AtomicReference<Exception> failure = new AtomicReference<>();
            long copied = 0;
            long read = 0;
            long lastReport = System.nanoTime();
            long sendStart = System.nanoTime();
            while (partitions.stream().anyMatch(p -> !consumer.paused().contains(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= ends.get(tp)) {
                        continue;
                    }
                    read++;
                    if ((roomKey != null && !java.util.Arrays.equals(roomKey, record.key()))
                            || record.timestamp() < fromMs || record.timestamp() >= toMs) {
                        continue;
                    }
                    if (nanosPerEvent > 0) {
                        long due = sendStart + copied * nanosPerEvent;
                        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    if (failure.get() != null) {
                        throw new IllegalStateException("producing to " + settings.target() + " failed", failure.get());
                    }
                    producer.send(new ProducerRecord<>(settings.target(), keepPartition ? record.partition() : null,
                            record.timestamp(), record.key(), record.value(), record.headers()), (metadata, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    copied++;
                }
                List<TopicPartition> done = partitions.stream()
                        .filter(p -> !consumer.paused().contains(p) && consumer.position(p) >= ends.get(p)).toList();
                consumer.pause(done);
                long now = System.nanoTime();
                if (now - lastReport >= settings.progressEvery().toNanos()) {
                    progress.printf("replay: %,d records copied to %s (%,d read)%n", copied, settings.target(), read);
                    lastReport = now;
                }
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("producing to " + settings.target() + " failed", failure.get());
            }
            Result result = new Result(copied, read, Duration.ofNanos(System.nanoTime() - started));
            progress.printf("replay: done: %,d records copied to %s (%,d read) in %.1f s: %,.0f records/s%n",
                    copied, settings.target(), read, result.took().toMillis() / 1000.0, result.rate());
            return result;
        }
    }

    /** Offset 0, or the first offset at or after fromTime (the end when there is none). */
    private void seekToStart(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> ends) {
        if (settings.fromTime() == null) {
            consumer.seekToBeginning(partitions);
            return;
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, settings.fromTime().toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            consumer.seek(p, at == null ? ends.get(p) : at.offset());
        }
    }

    /** The target's partition count; creates it with the source's count if it does not exist. */
    private int ensureTarget() throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap()))) {
            int sourcePartitions = admin.describeTopics(List.of(settings.source())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(settings.source()).partitions().size();
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(settings.target())) {
                try {
                    admin.createTopics(List.of(new NewTopic(settings.target(), Optional.of(sourcePartitions), Optional.empty())))
                            .all().get(30, TimeUnit.SECONDS);
                    progress.printf("replay: created %s with %d partitions%n", settings.target(), sourcePartitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create " + settings.target() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
            int targetPartitions = admin.describeTopics(List.of(settings.target())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(settings.target()).partitions().size();
            io.parley.contracts.ops.TopicsOpen.await(admin, List.of(settings.target()), java.time.Duration.ofSeconds(60));
            return targetPartitions;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe the topics: " + e, e);
        }
    }

}
