/*
 * TypingBench owns the typing propagation benchmark (not a test: it asserts nothing about time and
 * is run only on demand: mvn -pl infra/e2e verify -Dit.test=TypingBench). Connected users on the
 * two edge nodes, in rooms of 20; a driver makes one user after another send typing-start then
 * typing-stop at a steady rate; every other member measures the time from the typing-start frame
 * to its user-typing (the send time is kept per user by the driver; one JVM, one clock). Prints
 * p50, p90, p99, max for docs/benchmarks.md.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class TypingBench {
    static final int USERS = Integer.getInteger("bench.users", 500);
    static final int ROOM_SIZE = 20;
    static final int UPDATES_PER_SECOND = Integer.getInteger("bench.rate", 50);
    static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 30));
    static final Duration WARMUP = Duration.ofSeconds(5);

    private final ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();
    private final AtomicLong received = new AtomicLong();
    private final java.util.concurrent.ConcurrentHashMap<String, Long> startedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long measureFrom = Long.MAX_VALUE;

    @Test
    void typingPropagationLatency(ParleyCluster parley) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String prefix = TestStack.uniqueName("bench");
        List<WebSocket> sockets = new ArrayList<>(USERS);
        CountDownLatch joined = new CountDownLatch(USERS);
        List<String> users = new ArrayList<>(USERS);
        List<String> rooms = new ArrayList<>(USERS);
        for (int i = 0; i < USERS; i++) {
            String user = prefix + "-u" + i;
            users.add(user);
            rooms.add(prefix + "-r" + (i / ROOM_SIZE));
            String room = prefix + "-r" + (i / ROOM_SIZE);
            WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + parley.token(user))
                    .buildAsync(URI.create(parley.services.edgeUrl(i % 2)), new Listener(joined)).get(30, TimeUnit.SECONDS);
            ws.sendText("{\"op\":\"join-room\",\"ref\":\"join\",\"data\":{\"roomId\":\"" + room + "\"}}", true).join();
            sockets.add(ws);
        }
        assertThat(joined.await(120, TimeUnit.SECONDS)).as("every join answered").isTrue();
        System.out.println("[typing-bench] " + USERS + " users connected and joined (rooms of " + ROOM_SIZE + ")");

        long start = System.nanoTime();
        measureFrom = start + WARMUP.toNanos();
        long end = measureFrom + RUN.toNanos();
        long interval = 1_000_000_000L / UPDATES_PER_SECOND;
        long sent = 0;
        for (long next = start; next < end; next += interval) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // pacing the load driver
            }
            int u = (int) (sent % USERS);
            WebSocket ws = sockets.get(u);
            startedAt.put(users.get(u), System.nanoTime());
            ws.sendText("{\"op\":\"typing-start\",\"data\":{\"roomId\":\"" + rooms.get(u) + "\"}}", true).join();
            ws.sendText("{\"op\":\"typing-stop\",\"data\":{\"roomId\":\"" + rooms.get(u) + "\"}}", true).join();
            sent++;
        }
        long[] last = {-1};
        await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(60)).until(() -> { // drained: no more arrivals
            long now = received.get();
            boolean stable = now == last[0];
            last[0] = now;
            return stable;
        });
        long[] sorted = latenciesMicros.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("[typing-bench] users=%d rooms of %d, %d typing-starts/s for %d s (+%d s warm-up), %d starts, "
                        + "%d deliveries measured: p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms%n",
                USERS, ROOM_SIZE, UPDATES_PER_SECOND, RUN.toSeconds(), WARMUP.toSeconds(), sent, sorted.length,
                pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0);
        for (WebSocket ws : sockets) {
            ws.abort();
        }
        assertThat(sorted.length).as("typing events were received").isPositive();
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1000.0;
    }

    private final class Listener implements WebSocket.Listener {
        private final CountDownLatch joined;
        private final StringBuilder partial = new StringBuilder();

        Listener(CountDownLatch joined) {
            this.joined = joined;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long now = System.nanoTime();
                String text = partial.toString();
                partial.setLength(0);
                if (text.contains("\"ref\":\"join\"")) {
                    joined.countDown();
                } else if (text.contains("\"user-typing\"")) {
                    try {
                        JsonNode frame = Json.MAPPER.readTree(text);
                        Long sentAt = startedAt.get(frame.path("data").path("userId").asText());
                        received.incrementAndGet();
                        if (sentAt != null && sentAt >= measureFrom) {
                            latenciesMicros.add((now - sentAt) / 1_000);
                        }
                    } catch (Exception ignored) {
                        // not ours
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }
}
