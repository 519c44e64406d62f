/*
 * DeliveriesFailureIT owns the end-to-end proof of what an edge node does when its deliveries
 * consumer fails (issue 13), on the real stack, each service in its own process: the fault is real,
 * not simulated: the deliveries topic is deleted and created again under the edges' feet, so each
 * edge's position lies beyond the new partition's end (the consumer never skips silently: its
 * auto.offset.reset is "none"). Each edge node then closes every socket with 4503 RECONNECT, turns
 * /ready and /health 503 (problem "deliveries") and refuses new sockets. A cluster of its own (the
 * shared one must keep its topic).
 */
package io.parley.e2e;

import io.parley.contracts.Topic;
import io.parley.contracts.wire.CloseCodes;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class DeliveriesFailureIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aFailedDeliveriesConsumerClosesEverySocketWithReconnectAndTheNodeTurnsNotReady(TestStack stack) throws Exception {
        try (ParleyCluster cluster = ParleyCluster.isolated(stack)) {
            WsClient alice = cluster.connect("alice", 1);
            WsClient bob = cluster.connect("bob", 2);
            assertOk(alice.request("join-room", data("roomId", "fail-room")));
            assertOk(bob.request("join-room", data("roomId", "fail-room")));
            assertOk(alice.request("send-message", data("roomId", "fail-room", "content", "before", "clientMsgId", "m1")));
            bob.nextEvent(e -> "new-message".equals(e.path("event").asText()));
            for (int edge = 1; edge <= 2; edge++) {
                int e = edge;
                await().atMost(Duration.ofSeconds(30)).until(() -> status(cluster, e, "/ready") == 200);
            }

            String topic = Topic.DELIVERIES.nameIn(cluster.topicNamespace);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
                admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                    admin.createTopics(List.of(new NewTopic(topic, Topic.DELIVERIES.partitions(), (short) 1)
                            .configs(Topic.DELIVERIES.configs()))).all().get(10, TimeUnit.SECONDS);
                    return true;
                });
            }

            assertThat(alice.awaitClose()).as("alice's socket on edge 1").isEqualTo(CloseCodes.RECONNECT);
            assertThat(bob.awaitClose()).as("bob's socket on edge 2").isEqualTo(CloseCodes.RECONNECT);
            for (int edge = 1; edge <= 2; edge++) {
                int e = edge;
                await().atMost(WsClient.PATIENCE).until(() -> status(cluster, e, "/ready") == 503);
                assertThat(body(cluster, e, "/ready")).contains("deliveries");
                assertThat(status(cluster, e, "/health")).isEqualTo(503);
                assertThat(WsClient.refusedStatus(cluster.services.edgeUrl(e - 1), cluster.token("carol")))
                        .as("a new socket on edge " + e).isGreaterThanOrEqualTo(400);
            }
        }
    }

    private static int status(ParleyCluster cluster, int edge, String path) throws Exception {
        return get(cluster, edge, path).statusCode();
    }

    private static String body(ParleyCluster cluster, int edge, String path) throws Exception {
        return get(cluster, edge, path).body();
    }

    private static HttpResponse<String> get(ParleyCluster cluster, int edge, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + cluster.services.config().edgePorts().get(edge - 1) + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
