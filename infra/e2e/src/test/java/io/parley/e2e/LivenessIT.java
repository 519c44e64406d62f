/*
 * LivenessIT owns the end-to-end proof of issue 10's liveness rules on the real stack, every
 * service in its own process: (1) the processors frozen (SIGSTOP) for more than two leases while
 * clients keep sending: no edge node is expired, the edges refuse new sends cleanly (UNAVAILABLE
 * with retryAfterMs) while the pipeline lags past their bound, every acked message reaches every
 * member once and in order; (2) an edge node frozen past its lease really is expired; once it runs
 * again it learns so and closes its sockets (native: 4503 RECONNECT; Socket.IO: a transport close,
 * the stock client reconnects by itself), and the sockets of its new boot are live: no socket
 * ends open but dropped by the processors.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.wire.CloseCodes;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LivenessIT {
    private static final long LEASE_MS = ParleyCluster.LEASE_MS;
    private static final Duration POLL = Duration.ofMillis(200);

    /** One client's sends: each reply future, in the order sent. */
    private record Sender(WsClient client, List<CompletableFuture<JsonNode>> replies) {
        long acked() {
            return replies.stream().filter(f -> f.isDone() && f.join().path("ok").asBoolean()).count();
        }
    }

    /** The send frame's data (one place for the payload's field names). */
    private static com.fasterxml.jackson.databind.node.ObjectNode message(String room, String text, String clientMsgId) {
        return data("roomId", room, "content", text, "clientMsgId", clientMsgId);
    }

    @Test
    @Order(1)
    void processorsFrozenForTwoLeasesExpireNobodyRefuseCleanlyAndLoseNothing(ParleyCluster parley) {
        String room = TestStack.uniqueName("stall");
        long logFrom = size(parley.services.processors().logFile());
        long resetsBefore = parley.edgeHealth(1).path("leaseResets").asLong() + parley.edgeHealth(2).path("leaseResets").asLong();
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            WsClient client = parley.connect(TestStack.uniqueName("stall-u" + i), 1 + i % 2);
            assertOk(client.request("join-room", data("roomId", room)));
            senders.add(new Sender(client, new CopyOnWriteArrayList<>()));
        }
        AtomicLong counter = new AtomicLong();
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        try {
            // Every client sends every 400 ms (well under the per-user rate limit) for the whole test.
            loop.scheduleAtFixedRate(() -> {
                for (Sender sender : senders) {
                    long n = counter.incrementAndGet();
                    sender.replies().add(sender.client().requestAsync("send-message", message(room, "m" + n, "c" + n)));
                }
            }, 0, 400, TimeUnit.MILLISECONDS);
            await().atMost(WsClient.PATIENCE).pollInterval(POLL)
                    .until(() -> senders.stream().allMatch(s -> s.acked() >= 2));

            parley.services.processors().suspend();
            try {
                // Frozen until both edges have waited more than two leases for an answer.
                await().atMost(WsClient.PATIENCE).pollInterval(POLL).until(() ->
                        parley.edgeHealth(1).path("pendingAgeMs").asLong() > 2 * LEASE_MS
                                && parley.edgeHealth(2).path("pendingAgeMs").asLong() > 2 * LEASE_MS);
                // Meanwhile the edges refuse new sends at once (the bound is one lease).
                assertThat(parley.edgeHealth(1).path("refusedOverload").asLong()
                        + parley.edgeHealth(2).path("refusedOverload").asLong()).isPositive();
            } finally {
                parley.services.processors().resume();
            }
            int sentAtResume = senders.getFirst().replies().size();
            // Back to normal: sends made after the resume are acked again.
            await().atMost(WsClient.PATIENCE).pollInterval(POLL).until(() -> senders.stream().allMatch(s ->
                    s.replies().size() > sentAtResume + 2
                            && s.replies().subList(sentAtResume + 2, s.replies().size()).stream()
                            .anyMatch(f -> f.isDone() && f.join().path("ok").asBoolean())));
        } finally {
            loop.shutdownNow();
        }

        // Every send was answered: acked, or refused cleanly with a retry hint. Nothing else.
        Set<String> acked = new LinkedHashSet<>();
        int refused = 0;
        for (Sender sender : senders) {
            for (CompletableFuture<JsonNode> future : sender.replies()) {
                JsonNode reply = future.orTimeout(WsClient.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).join();
                if (reply.path("ok").asBoolean()) {
                    acked.add(reply.path("data").path("messageId").asText());
                } else {
                    assertThat(reply.path("error").path("code").asText()).as("refusal %s", reply).isEqualTo("UNAVAILABLE");
                    assertThat(reply.path("error").path("retryAfterMs").asLong()).as("refusal %s", reply).isPositive();
                    refused++;
                }
            }
        }
        assertThat(refused).isPositive();
        System.out.println("[liveness-e2e] processors frozen > 2 leases: " + acked.size() + " acked, " + refused + " refused");

        // Every member receives every acked message once, in order.
        for (Sender sender : senders) {
            List<String> ids = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            long lastSeq = 0;
            while (!seen.containsAll(acked)) {
                JsonNode event = sender.client().pollEvent(e -> "new-message".equals(e.path("event").asText())
                        && room.equals(e.path("data").path("roomId").asText()), WsClient.PATIENCE);
                assertThat(event).as(sender.client().name + " got every acked message; missing "
                        + acked.stream().filter(id -> !seen.contains(id)).toList()).isNotNull();
                String id = event.path("data").path("messageId").asText();
                long seq = event.path("data").path("seq").asLong();
                assertThat(seen.add(id)).as("duplicate " + id).isTrue();
                assertThat(seq).as("in order").isGreaterThan(lastSeq);
                lastSeq = seq;
                ids.add(id);
            }
            assertThat(ids).containsExactlyInAnyOrderElementsOf(acked);
            assertThat(sender.client().isOpen()).isTrue();
            sender.client().close();
        }

        // No edge node was expired, none had to reset its sockets.
        String log = tail(parley.services.processors().logFile(), logFrom);
        assertThat(log).doesNotContain("missed its lease").doesNotContain("after its lease expired");
        assertThat(parley.edgeHealth(1).path("leaseResets").asLong() + parley.edgeHealth(2).path("leaseResets").asLong())
                .isEqualTo(resetsBefore);
    }

    @Test
    @Order(2)
    void anEdgeNodeFrozenPastItsLeaseIsExpiredThenClosesItsSocketsAndItsNewSocketsAreLive(ParleyCluster parley) {
        String room = TestStack.uniqueName("frozen");
        String alice = TestStack.uniqueName("alice");
        String dave = TestStack.uniqueName("sio-dave");
        long logFrom = size(parley.services.processors().logFile());
        try (WsClient bob = parley.connect(TestStack.uniqueName("bob"), 1);
             WsClient a = parley.connect(alice, 2);
             NodeSioClient d = NodeSioClient.start("http://127.0.0.1:" + parley.services.config().edgePorts().get(1),
                     parley.token(dave), List.of("websocket"))) {
            d.next("connect");
            assertOk(bob.request("join-room", data("roomId", room)));
            assertOk(a.request("join-room", data("roomId", room)));
            assertThat(d.request("join-room", room).path("success").asBoolean()).isTrue();
            String bootBefore = parley.edgeHealth(2).path("bootId").asText();
            long resetsBefore = parley.edgeHealth(2).path("leaseResets").asLong();

            parley.services.edges().get(1).suspend();
            try {
                await().atMost(WsClient.PATIENCE).pollInterval(POLL).until(() ->
                        tail(parley.services.processors().logFile(), logFrom).contains("edge node edge-2 (slot 1) missed its lease"));
            } finally {
                parley.services.edges().get(1).resume();
            }

            // The node hears it was expired: its sockets of the expired boot are closed for reconnection.
            assertThat(a.awaitClose()).isEqualTo(CloseCodes.RECONNECT);
            assertThat(d.next("disconnect").path("reason").asText()).isEqualTo("transport close");
            JsonNode health = parley.edgeHealth(2);
            assertThat(health.path("leaseResets").asLong()).isEqualTo(resetsBefore + 1);
            assertThat(health.path("bootId").asText()).isNotEqualTo(bootBefore);

            // Reconnected sockets (the new boot) are live at once, and stay so after the processors
            // have seen the new boot id (which drops only the earlier boot's connections).
            try (WsClient a2 = parley.connect(alice, 2)) {
                assertOk(a2.request("join-room", data("roomId", room)));
                d.next("connect"); // the stock client reconnected by itself
                assertThat(d.request("join-room", room).path("success").asBoolean()).isTrue();
                await().atMost(WsClient.PATIENCE).pollInterval(POLL).until(() ->
                        tail(parley.services.processors().logFile(), logFrom).contains("edge node edge-2 (slot 1) has a new boot id"));

                JsonNode ack = bob.request("send-message", message(room, "are you there", "live-1"));
                assertOk(ack);
                String id = ack.path("data").path("messageId").asText();
                assertThat(a2.nextEvent(e -> "new-message".equals(e.path("event").asText())
                        && id.equals(e.path("data").path("messageId").asText()))).isNotNull();
                assertThat(d.next(e -> "event".equals(e.path("type").asText()) && "new-message".equals(e.path("event").asText())
                        && id.equals(e.path("args").path(0).path("messageId").asText()))).isNotNull();
                assertOk(a2.request("send-message", message(room, "yes", "live-2")));
                JsonNode fromDave = d.request("send-message", Map.of("roomId", room, "content", "me too"));
                assertThat(fromDave.path("success").asBoolean()).as("%s", fromDave).isTrue();
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code file} holds past byte {@code from}. */
    private static String tail(Path file, long from) {
        try {
            byte[] all = Files.readAllBytes(file);
            return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
