/*
 * SendQueueTest owns the proof of the per-socket bounded send queue: frames are written in order
 * by one writer at a time, a full queue closes the socket (1013) instead of blocking the caller,
 * a failed write is reported once, a close request jumps the queue, and closeAfterPending writes
 * what was queued before its close frame.
 */
package io.parley.edge.ws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SendQueueTest {
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** Records frames; can be made to block (a slow client) or to fail (a dead socket). */
    static final class RecordingSink implements SendQueue.Sink {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<String> closes = new CopyOnWriteArrayList<>();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean fail;

        @Override
        public void send(String text) throws Exception {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                gate.await();
                if (fail) {
                    throw new java.io.IOException("broken pipe");
                }
                sent.add(text);
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void close(int code, String reason) {
            closes.add(code + " " + reason);
        }
    }

    static final class RecordingEvents implements SendQueue.Events {
        final AtomicInteger overflows = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public void overflow(SendQueue queue) {
            overflows.incrementAndGet();
        }

        @Override
        public void sendFailed(SendQueue queue, Exception failure) {
            failures.incrementAndGet();
        }
    }

    @Test
    void writesInOrderOneAtATimeFromManyProducers() throws Exception {
        RecordingSink sink = new RecordingSink();
        SendQueue queue = new SendQueue(100_000, sink, new RecordingEvents(), executor);
        int producers = 8;
        int perProducer = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads[p] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    assertThat(queue.offer(id + ":" + i)).isTrue();
                }
            });
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> sink.sent.size() == producers * perProducer);
        assertThat(sink.maxConcurrent.get()).isEqualTo(1);
        for (int p = 0; p < producers; p++) {
            String prefix = p + ":";
            List<Integer> order = sink.sent.stream().filter(s -> s.startsWith(prefix))
                    .map(s -> Integer.parseInt(s.substring(prefix.length()))).toList();
            assertThat(order).isSorted().hasSize(perProducer);
        }
    }

    @Test
    void overflowClosesTheSlowConsumerWithoutBlockingTheCaller() throws Exception {
        RecordingSink sink = new RecordingSink();
        sink.gate = new CountDownLatch(1); // the client does not read
        RecordingEvents events = new RecordingEvents();
        SendQueue queue = new SendQueue(3, sink, events, executor);

        assertThat(queue.offer("f0")).isTrue(); // taken by the writer, which then blocks
        await().atMost(5, TimeUnit.SECONDS).until(() -> sink.concurrent.get() == 1);
        assertThat(queue.offer("f1")).isTrue();
        assertThat(queue.offer("f2")).isTrue();
        assertThat(queue.offer("f3")).isTrue();
        // Full: refused while the writer is still blocked on the gate, so the caller never waits on it
        // (a blocking offer would hang here until the gate opens below; no wall-clock bound needed).
        assertThat(queue.offer("f4")).isFalse();
        assertThat(queue.offer("f5")).isFalse();
        assertThat(events.overflows.get()).isEqualTo(1);
        assertThat(queue.isClosing()).isTrue();

        sink.gate.countDown(); // the writer gets through f0, then writes the close, dropping f1-f3
        await().atMost(5, TimeUnit.SECONDS).until(() -> !sink.closes.isEmpty());
        assertThat(sink.closes).containsExactly("1013 slow consumer: 3 frames queued");
        assertThat(sink.sent).containsExactly("f0");
        assertThat(queue.isFinished()).isTrue();
        assertThat(queue.offer("late")).isFalse();
    }

    @Test
    void aFailedWriteIsReportedOnceAndStopsTheQueue() {
        RecordingSink sink = new RecordingSink();
        sink.fail = true;
        RecordingEvents events = new RecordingEvents();
        SendQueue queue = new SendQueue(10, sink, events, executor);
        queue.offer("a");
        queue.offer("b");
        await().atMost(5, TimeUnit.SECONDS).until(() -> events.failures.get() == 1);
        assertThat(queue.isFinished()).isTrue();
        assertThat(queue.offer("c")).isFalse();
        assertThat(events.failures.get()).isEqualTo(1);
    }

    @Test
    void closeIsWrittenOnceAndLast() {
        RecordingSink sink = new RecordingSink();
        SendQueue queue = new SendQueue(10, sink, new RecordingEvents(), executor);
        queue.offer("a");
        await().atMost(5, TimeUnit.SECONDS).until(() -> sink.sent.size() == 1);
        queue.close(1001, "going away");
        queue.close(1000, "second close ignored");
        assertThat(queue.offer("after close")).isFalse();
        await().atMost(5, TimeUnit.SECONDS).until(queue::isFinished);
        assertThat(sink.closes).containsExactly("1001 going away");
        assertThat(sink.sent).containsExactly("a");
    }

    @Test
    void stopWritesNothingMore() {
        RecordingSink sink = new RecordingSink();
        SendQueue queue = new SendQueue(10, sink, new RecordingEvents(), executor);
        queue.stop();
        assertThat(queue.offer("x")).isFalse();
        queue.close(1001, "x");
        assertThat(sink.sent).isEmpty();
        assertThat(sink.closes).isEmpty();
    }

    @Test
    void closeAfterPendingWritesWhatWasQueuedThenTheCloseAndRefusesMore() {
        RecordingSink sink = new RecordingSink();
        sink.gate = new CountDownLatch(1);
        SendQueue queue = new SendQueue(10, sink, new RecordingEvents(), executor);
        queue.offer("a");
        queue.offer("b");
        queue.closeAfterPending(1000, "bye");
        assertThat(queue.offer("c")).isFalse();
        assertThat(queue.isClosing()).isTrue();
        sink.gate.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(queue::isFinished);
        assertThat(sink.sent).containsExactly("a", "b");
        assertThat(sink.closes).containsExactly("1000 bye");
    }
}
