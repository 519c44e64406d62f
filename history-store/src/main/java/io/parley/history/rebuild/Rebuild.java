// Owns the rebuild loop: room-events from the committed offsets (offset 0 on a first run) up to the
// end offsets seen at start, through an EventSink into fresh tables, batches pipelined with a bound,
// offsets committed only for the prefix of batches whose writes all succeeded.
package io.parley.history.rebuild;

import io.parley.history.writer.EventDecoder;
import io.parley.history.writer.EventSink;
import io.parley.history.writer.LoggedEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One rebuild run. Reads every partition of {@code room-events} (assigned, not subscribed; the
 * group id only keeps the offsets) from the group's committed offsets, or from offset 0 when it has
 * none, up to the end offsets taken at the start (a partition that reached its end is paused), and
 * writes each poll as one batch through the sink (the history store's own: same rows as the live
 * writer). Up to {@code batchesInFlight} batches are written at once; a batch's offsets are
 * committed once it and every batch before it are stored, so a run stopped or killed anywhere
 * resumes where its committed prefix ends, and the rows written again are the same (idempotent
 * upserts). A batch that fails is written again with backoff, {@code attempts} times in all, then
 * the run fails (exit code 1 for the command; running it again resumes).
 */
public final class Rebuild {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);

    /** What to read and how much to keep in flight. */
    public record Settings(String bootstrap, String topic, String groupId, int batchesInFlight, int attempts,
                           Duration progressEvery) {
        public Settings {
            if (batchesInFlight < 1 || attempts < 1) {
                throw new IllegalArgumentException("batchesInFlight and attempts must be positive");
            }
        }
    }

    /** How a run ended: events stored (and skipped as no room event), and the time it took. */
    public record Result(long stored, long skipped, long total, Duration took, boolean completed) {
        public double rate() {
            return took.toNanos() == 0 ? 0 : stored * 1e9 / took.toNanos();
        }
    }

    private record Pending(List<LoggedEvent> events, Map<TopicPartition, Long> nextOffsets, CompletableFuture<Void> write) {}

    private final Settings settings;
    private final EventSink sink;
    private final PrintStream progress;
    private final EventDecoder decoder = new EventDecoder();
    private volatile boolean stopping;

    public Rebuild(Settings settings, EventSink sink, PrintStream progress) {
        this.settings = settings;
        this.sink = sink;
        this.progress = progress;
    }

    /** Asks a running {@link #run} to stop after committing what is stored (another thread may call it). */
    public void stop() {
        stopping = true;
    }

    /** Runs to the end offsets seen at the start (or until {@link #stop}); throws if a batch keeps failing. */
    public Result run() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "parley-rebuild");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        long started = System.nanoTime();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(settings.topic()).stream()
                    .map(p -> new TopicPartition(settings.topic(), p.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            long total = 0;
            for (TopicPartition p : partitions) {
                OffsetAndMetadata c = committed.get(p);
                if (c == null) {
                    consumer.seekToBeginning(List.of(p));
                }
                total += Math.max(0, ends.get(p) - consumer.position(p));
            }
            progress.printf("rebuild: %s from %s to the end offsets of now: %,d events to go (group %s)%n",
                    settings.topic(), committed.values().stream().allMatch(java.util.Objects::isNull) ? "offset 0" : "the committed offsets",
                    total, settings.groupId());
            Deque<Pending> inFlight = new ArrayDeque<>();
            long stored = 0;
            long skipped = 0;
            long lastReport = System.nanoTime();
            long reported = 0;
            boolean completed = false;
            while (!stopping) {
                pauseFinished(consumer, partitions, ends);
                boolean allRead = consumer.paused().size() == partitions.size();
                if (allRead && inFlight.isEmpty()) {
                    completed = true;
                    break;
                }
                if (!allRead) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                    if (!records.isEmpty()) {
                        List<LoggedEvent> events = new ArrayList<>(records.count());
                        Map<TopicPartition, Long> next = new HashMap<>();
                        for (ConsumerRecord<String, byte[]> record : records) {
                            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                            next.merge(tp, record.offset() + 1, Math::max);
                            if (record.offset() >= ends.get(tp)) {
                                continue; // after the end seen at start: the live writer's
                            }
                            LoggedEvent event = decoder.decode(record.topic(), record.value());
                            if (event == null) {
                                skipped++;
                            } else {
                                events.add(event);
                            }
                        }
                        next.replaceAll((tp, offset) -> Math.min(offset, ends.get(tp)));
                        inFlight.add(new Pending(events, next, sink.write(events).toCompletableFuture()));
                    }
                }
                // Commit the stored prefix; wait for the oldest batch when the bound is reached or all is read.
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                while (!inFlight.isEmpty() && (inFlight.peekFirst().write().isDone()
                        || inFlight.size() >= settings.batchesInFlight() || allRead)) {
                    stored += storeOldest(inFlight, commit);
                }
                if (!commit.isEmpty()) {
                    consumer.commitSync(commit);
                }
                long now = System.nanoTime();
                if (now - lastReport >= settings.progressEvery().toNanos()) {
                    double rate = (stored - reported) * 1e9 / (now - lastReport);
                    progress.printf("rebuild: %,d / %,d events stored (%.1f%%), %,.0f events/s%n",
                            stored, total, total == 0 ? 100.0 : stored * 100.0 / total, rate);
                    lastReport = now;
                    reported = stored;
                }
            }
            // Stopping: finish what is in flight and commit it (in order), so a rerun resumes right after.
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            while (!inFlight.isEmpty()) {
                stored += storeOldest(inFlight, commit);
            }
            if (!commit.isEmpty()) {
                consumer.commitSync(commit);
            }
            Result result = new Result(stored, skipped, total, Duration.ofNanos(System.nanoTime() - started), completed);
            progress.printf("rebuild: %s: %,d events stored, %,d skipped (no room event), in %.1f s: %,.0f events/s%n",
                    completed ? "done" : "stopped", stored, skipped, result.took().toMillis() / 1000.0, result.rate());
            return result;
        }
    }

    private static void pauseFinished(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions,
                                      Map<TopicPartition, Long> ends) {
        List<TopicPartition> done = new ArrayList<>();
        for (TopicPartition p : partitions) {
            if (!consumer.paused().contains(p) && consumer.position(p) >= ends.get(p)) {
                done.add(p);
            }
        }
        if (!done.isEmpty()) {
            consumer.pause(done);
        }
    }

    /** Stores the oldest batch in flight and adds its next offsets to {@code commit}; returns its event count. */
    private int storeOldest(Deque<Pending> inFlight, Map<TopicPartition, OffsetAndMetadata> commit) {
        Pending oldest = inFlight.pollFirst();
        store(oldest);
        oldest.nextOffsets().forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        return oldest.events().size();
    }

    /** Waits for the batch's write; writes it again with backoff while it fails, up to the attempts allowed. */
    private void store(Pending pending) {
        CompletableFuture<Void> write = pending.write();
        long backoff = 200;
        for (int attempt = 1; ; attempt++) {
            try {
                write.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing", e);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (attempt >= settings.attempts()) {
                    throw new IllegalStateException("a batch of " + pending.events().size() + " events failed "
                            + attempt + " times, last: " + cause, cause);
                }
                progress.printf("rebuild: writing a batch failed (%s), attempt %d of %d in %d ms%n",
                        cause, attempt + 1, settings.attempts(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while writing", ie);
                }
                backoff = Math.min(backoff * 2, 10_000);
                write = sink.write(pending.events()).toCompletableFuture();
            }
        }
    }
}
