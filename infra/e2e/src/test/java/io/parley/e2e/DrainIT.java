/*
 * DrainIT owns the end-to-end check of an edge node's graceful drain: under traffic, edge-1 gets
 * SIGTERM; it stops being ready, refuses new commands (UNAVAILABLE), writes what is queued and
 * closes its sockets with 1001 "going away"; the senders reconnect to edge-2, resend what was not
 * acked (same clientMsgId: de-duplicated), and every acked message reaches the room exactly once.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class DrainIT {
    private static final int SENDERS = 4;
    private static final int PER_SENDER = 40; // below the rate limit's burst, resends included
    private static final int BEFORE_SIGTERM = 5;

    /** What one sender saw. */
    private record Outcome(Map<String, String> acked, List<Integer> closeCodes, int resends) {}

    @Test
    void aDrainedNodesClientsResumeOnTheOtherNodeAndNothingAckedIsLost(ParleyCluster parley) throws Exception {
        String room = TestStack.uniqueName("drain");
        WsClient receiver = parley.connect(TestStack.uniqueName("rx"), 2);
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS + 1);
        CyclicBarrier warmedUp = new CyclicBarrier(SENDERS + 1);
        CountDownLatch drainStarted = new CountDownLatch(1);
        try {
            assertThat(receiver.request("join-room", data("roomId", room)).path("ok").asBoolean()).isTrue();
            List<Future<Outcome>> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                String user = TestStack.uniqueName("tx" + i + "-");
                senders.add(pool.submit(() -> send(parley, user, room, warmedUp, drainStarted)));
            }
            warmedUp.await(WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS);

            // SIGTERM edge-1 (the close waits for the process to exit, so off this thread), then
            // let the senders go on while it drains.
            Future<?> stopped = pool.submit(() -> parley.services.edges().get(0).close());
            await().atMost(WsClient.PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> !ready(parley, 0));
            drainStarted.countDown();

            Map<String, String> acked = new HashMap<>();
            int resends = 0;
            for (Future<Outcome> sender : senders) {
                Outcome outcome = sender.get(3 * WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                acked.putAll(outcome.acked());
                resends += outcome.resends();
                assertThat(outcome.closeCodes()).as("edge-1 said going away").containsExactly(1001);
            }
            stopped.get(WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(parley.services.edges().get(0).isAlive()).isFalse();
            assertThat(acked).hasSize(SENDERS * PER_SENDER);
            assertThat(Map.copyOf(acked).values()).doesNotHaveDuplicates();
            System.out.println("[DrainIT] " + acked.size() + " messages acked, " + resends + " resent after the drain");

            // Every acked message reaches the receiver on edge-2, once.
            Map<String, Integer> seen = new HashMap<>();
            while (seen.size() < acked.size()) {
                JsonNode event = receiver.nextEvent(e -> e.path("event").asText().equals("new-message")
                        && e.path("data").path("roomId").asText().equals(room));
                seen.merge(event.path("data").path("id").asText(), 1, Integer::sum);
            }
            assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(acked.values());
            assertThat(receiver.pollEvent(e -> e.path("event").asText().equals("new-message"), Duration.ofMillis(500)))
                    .as("no duplicate delivery").isNull();
        } finally {
            receiver.close();
            pool.shutdownNow();
            parley.services.restartEdge(0);
        }
    }

    /**
     * One sender: connects to edge-1, sends BEFORE_SIGTERM messages, waits for the drain to start,
     * then sends the rest; whatever is not acked when its socket closes (or is refused with
     * UNAVAILABLE) is resent on edge-2 with the same clientMsgId.
     */
    private static Outcome send(ParleyCluster parley, String user, String room, CyclicBarrier warmedUp,
                                CountDownLatch drainStarted) throws Exception {
        Map<String, String> acked = new ConcurrentHashMap<>();
        List<Integer> closeCodes = new ArrayList<>();
        int resends = 0;
        WsClient client = parley.connect(user, 1);
        try {
            assertThat(client.request("join-room", data("roomId", room)).path("ok").asBoolean()).isTrue();
            int m = 0;
            while (m < PER_SENDER) {
                if (m == BEFORE_SIGTERM && acked.size() == BEFORE_SIGTERM && drainStarted.getCount() > 0) {
                    warmedUp.await(WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    drainStarted.await(WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                }
                String clientMsgId = user + "-" + m;
                CompletableFuture<JsonNode> reply = client.requestAsync("send-message",
                        data("roomId", room, "content", "message " + m, "clientMsgId", clientMsgId));
                CompletableFuture.anyOf(reply, client.closeFuture()).get(WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                JsonNode answer = reply.getNow(null);
                if (answer != null && answer.path("ok").asBoolean()) {
                    acked.put(clientMsgId, answer.path("data").path("id").asText());
                    m++;
                    continue;
                }
                if (answer != null) {
                    assertThat(answer.path("error").path("code").asText()).as(answer.toString()).isEqualTo("UNAVAILABLE");
                }
                // Not acked: the node is draining. Wait for its goodbye, move to edge-2, resend.
                closeCodes.add(client.closeFuture().get(WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS));
                client.close();
                client = parley.connect(user, 2);
                assertThat(client.request("join-room", data("roomId", room)).path("ok").asBoolean()).isTrue();
                resends++;
            }
            return new Outcome(acked, closeCodes, resends);
        } finally {
            client.close();
        }
    }

    private static boolean ready(ParleyCluster parley, int edge) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + parley.services.config().edgePorts().get(edge) + "/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (Exception e) {
            return false; // gone: not ready either
        }
    }
}
