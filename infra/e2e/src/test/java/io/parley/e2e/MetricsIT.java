/*
 * MetricsIT owns the end-to-end check of Parley's Prometheus metrics: after real traffic, every
 * process's /metrics is scraped and parsed by a third-party parser (PromScrape) and the figures
 * must agree with what the clients saw: messages counted equal messages sent, the delivery
 * latency histogram counts every timed event the clients received, acks are timed, errors are
 * counted by code, the Kafka clients' and Streams' own metrics are there.
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class MetricsIT {
    /** Events that carry the accept time of the command behind them (timed by the edge). */
    private static final List<String> TIMED_EVENTS = List.of("new-message", "user-joined", "user-left", "messages-read");

    private static String edgeBase(ParleyCluster parley, int index) {
        return "http://127.0.0.1:" + parley.services.config().edgePorts().get(index);
    }

    private static String processorsBase(ParleyCluster parley) {
        return "http://127.0.0.1:" + parley.services.config().processorsHealthPort();
    }

    @Test
    void everyProcessCountsTheTrafficItCarried(ParleyCluster parley) throws Exception {
        PromScrape edge1Before = PromScrape.of(edgeBase(parley, 0));
        PromScrape edge2Before = PromScrape.of(edgeBase(parley, 1));
        PromScrape historyBefore = PromScrape.of(parley.services.historyUrl());

        String room = TestStack.uniqueName("metrics");
        int perSender = 10;
        List<WsClient> clients = new ArrayList<>();
        // A stock Socket.IO client too, for the connections-by-protocol gauge.
        NodeSioClient sio = NodeSioClient.start(edgeBase(parley, 0), parley.token(TestStack.uniqueName("sio-m")), List.of("websocket"));
        try {
            assertThat(sio.next("connect").path("id").asText()).isNotBlank();
            for (int i = 0; i < 4; i++) {
                clients.add(parley.connect(TestStack.uniqueName("m" + i + "-"), 1 + i % 2));
            }
            for (WsClient client : clients) {
                assertThat(client.request("join-room", data("roomId", room)).path("ok").asBoolean()).isTrue();
            }
            List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
            for (int m = 0; m < perSender; m++) {
                for (WsClient client : clients) {
                    acks.add(client.requestAsync("send-message", data("roomId", room, "content", "m" + m, "clientMsgId", client.name + m)));
                }
            }
            for (CompletableFuture<JsonNode> ack : acks) {
                assertThat(ack.get(WsClient.PATIENCE.toSeconds(), TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();
            }
            int sent = acks.size();
            for (WsClient client : clients) {
                while (client.receivedCount("new-message") < sent) {
                    client.nextEvent(e -> e.path("event").asText().equals("new-message"));
                }
            }
            // One refused command per client: an error counted by its code.
            for (WsClient client : clients) {
                JsonNode refused = client.request("send-message", data("roomId", "", "content", "x"));
                assertThat(refused.path("ok").asBoolean()).isFalse();
                assertThat(refused.path("error").path("code").asText()).isEqualTo("INVALID_ROOM");
            }
            // A history request (timed by the history store); 200 once the store has the join (it writes
            // behind the live path: a 403 before that is a request timed too).
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                HttpResponse<String> history = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(parley.services.historyUrl() + "/v1/rooms/" + room + "/messages?limit=5"))
                        .header("Authorization", "Bearer " + parley.token(clients.get(0).name.substring(0, clients.get(0).name.indexOf('@'))))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(history.statusCode()).isEqualTo(200);
            });

            int timedReceived = clients.stream().mapToInt(c -> TIMED_EVENTS.stream().mapToInt(c::receivedCount).sum()).sum();
            int joins = clients.size();

            // The edges: messages in = messages sent; timed deliveries = timed events received; acks timed.
            await().atMost(WsClient.PATIENCE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                PromScrape edge1 = PromScrape.of(edgeBase(parley, 0));
                PromScrape edge2 = PromScrape.of(edgeBase(parley, 1));
                assertThat(delta(edge1, edge1Before, edge2, edge2Before, s -> s.sum("parley_edge_messages_in_total")))
                        .as("messages counted in").isEqualTo(sent);
                assertThat(delta(edge1, edge1Before, edge2, edge2Before,
                        s -> s.sum("parley_edge_commands_total", "type", "send-message", "outcome", "accepted")))
                        .as("send-message commands accepted").isEqualTo(sent);
                assertThat(delta(edge1, edge1Before, edge2, edge2Before,
                        s -> s.sum("parley_edge_commands_total", "type", "join-room", "outcome", "accepted")))
                        .as("join-room commands accepted").isEqualTo(joins);
                assertThat(delta(edge1, edge1Before, edge2, edge2Before,
                        s -> s.histogramCount("parley_edge_delivery_latency_seconds")))
                        .as("delivery latency samples = timed events the clients received").isEqualTo(timedReceived);
                assertThat(delta(edge1, edge1Before, edge2, edge2Before,
                        s -> s.sum("parley_edge_deliveries_out_total")))
                        .as("deliveries out").isGreaterThanOrEqualTo(timedReceived);
                assertThat(delta(edge1, edge1Before, edge2, edge2Before,
                        s -> s.histogramCount("parley_edge_ack_latency_seconds")))
                        .as("ack latency samples: every join and send acked by the processors").isGreaterThanOrEqualTo(sent + joins);
                assertThat(delta(edge1, edge1Before, edge2, edge2Before,
                        s -> s.sum("parley_edge_errors_total", "code", "INVALID_ROOM")))
                        .as("errors by code").isEqualTo(clients.size());
            });

            PromScrape edge1 = PromScrape.of(edgeBase(parley, 0));
            assertThat(edge1.type("parley_edge_delivery_latency_seconds")).isEqualTo("HISTOGRAM");
            // Cumulative buckets, in the seed's latency targets among them (100, 150, 200 ms).
            double previous = 0;
            for (String le : List.of("0.001", "0.01", "0.1", "0.15", "0.2", "1.0", "10.0", "+Inf")) {
                double bucket = edge1.histogramBucket("parley_edge_delivery_latency_seconds", le);
                assertThat(bucket).as("bucket le=" + le).isGreaterThanOrEqualTo(previous);
                previous = bucket;
            }
            assertThat(previous).isPositive();
            assertThat(edge1.sum("parley_edge_connections", "protocol", "native")).isGreaterThanOrEqualTo(2);
            assertThat(edge1.sum("parley_edge_connections", "protocol", "socketio")).isGreaterThanOrEqualTo(1);
            assertThat(edge1.type("parley_edge_connections")).isEqualTo("GAUGE");
            assertThat(edge1.sum("parley_ready")).isEqualTo(1);
            assertThat(edge1.has("parley_edge_send_queue_depth")).isTrue();
            assertThat(edge1.has("parley_edge_slow_consumer_closes_total")).isTrue();
            // The deliveries consumer's and the producer's own metrics, bridged.
            assertThat(edge1.families.keySet()).anyMatch(name -> name.startsWith("kafka_consumer_fetch_manager_records_lag"));
            assertThat(edge1.families.keySet()).anyMatch(name -> name.startsWith("kafka_producer_"));
            assertThat(edge1.has("jvm_memory_used_bytes")).isTrue();
            assertThat(edge1.has("jvm_threads_live_threads")).isTrue();

            // The processors: Streams' own metrics through the binder, state, lease renewals.
            PromScrape processors = PromScrape.of(processorsBase(parley));
            assertThat(processors.sum("parley_processors_streams_running")).isEqualTo(1);
            assertThat(processors.sum("parley_processors_lease_renewals_total")).isPositive();
            assertThat(processors.has("parley_processors_lease_expiries_total")).isTrue();
            assertThat(processors.families.keySet()).anyMatch(name -> name.startsWith("kafka_stream_thread_commit"));
            assertThat(processors.families.keySet()).anyMatch(name -> name.startsWith("kafka_stream_thread_punctuate"));
            assertThat(processors.families.keySet()).anyMatch(name -> name.startsWith("kafka_consumer_fetch_manager_records_lag"));

            // Every series the Grafana dashboard and the alert rules use exists in the scrapes (the
            // Kafka binders pick up per-partition series on their refresh, hence the wait).
            await().atMost(WsClient.PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                java.util.Set<String> known = new java.util.HashSet<>();
                for (String base : List.of(edgeBase(parley, 0), processorsBase(parley), parley.services.historyUrl())) {
                    known.addAll(PromScrape.of(base).families.keySet());
                }
                for (String file : List.of("infra/deploy/grafana/parley-dashboard.json", "infra/deploy/prometheus/parley-alerts.yml")) {
                    String text = java.nio.file.Files.readString(repoFile(file));
                    java.util.regex.Matcher series = java.util.regex.Pattern
                            .compile("\\b(?:parley|kafka|jvm|process|system)_[a-z0-9_]+").matcher(text);
                    int checked = 0;
                    while (series.find()) {
                        String name = series.group();
                        assertThat(known).as(file + " uses " + name).contains(name.replaceAll("_(bucket|count|sum)$", ""));
                        checked++;
                    }
                    assertThat(checked).as(file).isGreaterThan(10);
                }
            });

            // The history store: Cassandra batch writes and history requests timed, its consumer's lag.
            await().atMost(WsClient.PATIENCE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                PromScrape history2 = PromScrape.of(parley.services.historyUrl());
                assertThat(history2.histogramCount("parley_history_cassandra_write_seconds")
                        - historyBefore.histogramCount("parley_history_cassandra_write_seconds")).isPositive();
                assertThat(history2.histogramCount("parley_history_requests_seconds")
                        - historyBefore.histogramCount("parley_history_requests_seconds")).isGreaterThanOrEqualTo(1);
                assertThat(history2.families.keySet()).anyMatch(name -> name.startsWith("kafka_consumer_fetch_manager_records_lag"));
            });
        } finally {
            clients.forEach(WsClient::close);
            sio.close();
        }
    }

    private static java.nio.file.Path repoFile(String path) {
        for (java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (java.nio.file.Files.exists(dir.resolve(path))) {
                return dir.resolve(path);
            }
        }
        throw new IllegalStateException(path + " not found from " + java.nio.file.Path.of("").toAbsolutePath());
    }

    private interface Figure {
        double of(PromScrape scrape);
    }

    private static long delta(PromScrape a, PromScrape aBefore, PromScrape b, PromScrape bBefore, Figure figure) {
        return Math.round(figure.of(a) - figure.of(aBefore) + figure.of(b) - figure.of(bBefore));
    }
}
