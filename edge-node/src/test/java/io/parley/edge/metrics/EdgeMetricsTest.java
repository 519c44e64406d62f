/*
 * EdgeMetricsTest owns the proof of the edge's meters: command counters per type and outcome,
 * errors per code, and frames stamped on the delivery thread being counted and timed once their
 * write completed (and only those), slow-consumer closes counted.
 */
package io.parley.edge.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.contracts.ErrorCode;
import io.parley.edge.command.Command;
import io.parley.edge.ws.SendQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EdgeMetricsTest {
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EdgeMetrics metrics = new EdgeMetrics(registry);

    @AfterEach
    void stop() {
        executor.shutdownNow();
        WriteStamp.clear();
        EdgeMetrics.install(new EdgeMetrics(new SimpleMeterRegistry()));
    }

    private static final class Sink implements SendQueue.Sink {
        final List<String> sent = new CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);

        @Override
        public void send(String text) throws Exception {
            gate.await();
            sent.add(text);
        }

        @Override
        public void close(int code, String reason) {}
    }

    private static final SendQueue.Events IGNORE = new SendQueue.Events() {
        @Override
        public void overflow(SendQueue queue) {}

        @Override
        public void sendFailed(SendQueue queue, Exception failure) {}
    };

    @Test
    void commandsAreCountedByTypeAndOutcomeAndErrorsByCode() {
        assertThat(EdgeMetrics.commandName(Command.SendMessage.class)).isEqualTo("send-message");
        assertThat(EdgeMetrics.commandName(Command.GetOnlineUsers.class)).isEqualTo("get-online-users");
        metrics.command(new Command.JoinRoom("r")).count(EdgeMetrics.Outcome.ACCEPTED);
        metrics.command(new Command.JoinRoom("s")).count(EdgeMetrics.Outcome.ACCEPTED);
        metrics.command(new Command.SendMessage("r", "t", null, null, null)).count(EdgeMetrics.Outcome.RATE_LIMITED);
        metrics.error(ErrorCode.INVALID_ROOM);
        assertThat(registry.get("parley.edge.commands").tags("type", "join-room", "outcome", "accepted").counter().count()).isEqualTo(2);
        assertThat(registry.get("parley.edge.commands").tags("type", "send-message", "outcome", "rate-limited").counter().count()).isEqualTo(1);
        assertThat(registry.get("parley.edge.commands").tags("type", "send-message", "outcome", "accepted").counter().count()).isZero();
        assertThat(registry.get("parley.edge.errors").tag("code", "INVALID_ROOM").counter().count()).isEqualTo(1);
    }

    @Test
    void stampedFramesAreCountedAndTimedWhenWrittenOthersAreNot() {
        EdgeMetrics.install(metrics);
        Sink sink = new Sink();
        sink.gate = new CountDownLatch(1);
        SendQueue queue = new SendQueue(10, sink, IGNORE, executor);
        long acceptedAt = System.currentTimeMillis() - 40;
        WriteStamp.set(WriteStamp.DELIVERY, acceptedAt);
        queue.offer("delivery");
        WriteStamp.set(WriteStamp.REPLY, acceptedAt);
        queue.offer("reply");
        WriteStamp.set(WriteStamp.DELIVERY, 0); // a presence update: counted, not timed
        queue.offer("presence");
        WriteStamp.clear();
        queue.offer("edge-made reply");
        // Nothing counted before the writes complete.
        assertThat(registry.get("parley.edge.deliveries.out").counter().count()).isZero();
        sink.gate.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> sink.sent.size() == 4);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(registry.get("parley.edge.deliveries.out").counter().count()).isEqualTo(2);
            assertThat(registry.get("parley.edge.replies.out").counter().count()).isEqualTo(1);
        });
        assertThat(registry.get("parley.edge.delivery.latency").timer().count()).isEqualTo(1);
        assertThat(registry.get("parley.edge.delivery.latency").timer().totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(40);
        assertThat(registry.get("parley.edge.ack.latency").timer().count()).isEqualTo(1);
        assertThat(sink.sent).containsExactly("delivery", "reply", "presence", "edge-made reply");
    }

    @Test
    void oneStampedFrameIsSharedByEverySocketOfAFanOutAndCountedPerWrite() {
        EdgeMetrics.install(metrics);
        Sink[] sinks = {new Sink(), new Sink(), new Sink()};
        String text = "{\"event\":\"new-message\"}";
        WriteStamp.set(WriteStamp.DELIVERY, System.currentTimeMillis() - 5);
        Object frame = WriteStamp.frame(text);
        assertThat(frame).isInstanceOf(WriteStamp.Stamped.class);
        assertThat(WriteStamp.frame(text)).isSameAs(frame); // the same for every socket: no copy per socket
        for (Sink sink : sinks) {
            new SendQueue(10, sink, IGNORE, executor).offer(text);
        }
        assertThat(WriteStamp.frame(new String(text))).isNotSameAs(frame); // another text: another frame
        WriteStamp.set(WriteStamp.DELIVERY, 1);
        assertThat(WriteStamp.frame(text)).isNotSameAs(frame); // a new stamp: a new frame
        WriteStamp.clear();
        assertThat(WriteStamp.frame(text)).isSameAs(text); // unstamped: the text itself
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(registry.get("parley.edge.deliveries.out").counter().count()).isEqualTo(3));
        assertThat(registry.get("parley.edge.delivery.latency").timer().count()).isEqualTo(3);
        for (Sink sink : sinks) {
            assertThat(sink.sent).containsExactly(text);
        }
    }

    @Test
    void aFullQueueCountsASlowConsumerClose() {
        EdgeMetrics.install(metrics);
        Sink sink = new Sink();
        sink.gate = new CountDownLatch(1);
        SendQueue queue = new SendQueue(2, sink, IGNORE, executor);
        for (int i = 0; i < 5; i++) {
            queue.offer("f" + i);
        }
        sink.gate.countDown();
        assertThat(registry.get("parley.edge.slow.consumer.closes").counter().count()).isEqualTo(1);
    }
}
