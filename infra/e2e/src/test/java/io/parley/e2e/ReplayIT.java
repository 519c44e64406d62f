// ReplayIT owns the end-to-end proof of the replay API on the real stack: events made by real
// clients through both edge nodes and the real processors, read back from the history store as
// NDJSON, equal the room's records read from Kafka, whole and in seq and time ranges.
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.Topic;
import io.parley.contracts.json.Json;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class ReplayIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The room's records on room-events, in log order (the room's partition, by key). */
    private static List<String> log(ParleyCluster parley, String room) {
        String topic = Topic.ROOM_EVENTS.nameIn(parley.topicNamespace);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, parley.stack.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<String> values = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (room.equals(record.key())) {
                        values.add(record.value());
                    }
                }
            }
            return values;
        }
    }

    private static List<String> replay(ParleyCluster parley, String room, String query, String user) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(parley.services.historyUrl() + "/v1/rooms/" + room + "/events" + query))
                .header("Authorization", "Bearer " + parley.token(user)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body().isEmpty() ? List.of() : List.of(response.body().split("\n"));
    }

    private static List<String> select(List<String> log, Predicate<JsonNode> keep) {
        return log.stream().filter(v -> {
            try {
                return keep.test(Json.MAPPER.readTree(v));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void replayOutputEqualsTheLog(ParleyCluster parley) throws Exception {
        String room = TestStack.uniqueName("replay");
        String alice = TestStack.uniqueName("a");
        String bob = TestStack.uniqueName("b");
        try (WsClient a = parley.connect(alice, 1); WsClient b = parley.connect(bob, 2)) {
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(b.request("join-room", data("roomId", room)));
            long lastSeq = 0;
            for (int i = 0; i < 20; i++) {
                JsonNode ack = (i % 2 == 0 ? a : b).request("send-message", data("roomId", room, "content", "line " + i + " ☕"));
                assertOk(ack);
                lastSeq = ack.path("data").path("seq").asLong();
            }
            assertOk(b.request("mark-read", Json.MAPPER.createObjectNode().put("roomId", room).put("seq", lastSeq)));
            assertOk(b.request("leave-room", data("roomId", room)));
            assertOk(a.request("send-message", data("roomId", room, "content", "after bob left")));
        }

        // The whole log of the room: joins, messages, read position, leave, the disconnect.
        await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
            List<String> log = log(parley, room);
            assertThat(log).hasSizeGreaterThanOrEqualTo(25);
            assertThat(replay(parley, room, "", alice)).isEqualTo(log);
        });
        List<String> log = log(parley, room);
        assertThat(log).anyMatch(v -> v.contains("\"read-position\"")).anyMatch(v -> v.contains("\"member-left\""));

        assertThat(replay(parley, room, "?fromSeq=5&toSeq=12", alice))
                .isEqualTo(select(log, e -> e.get("seq").asLong() >= 5 && e.get("seq").asLong() <= 12));
        long from = Json.MAPPER.readTree(log.get(6)).get("timestamp").asLong();
        long to = Json.MAPPER.readTree(log.get(15)).get("timestamp").asLong();
        List<String> inTime = select(log, e -> e.get("timestamp").asLong() >= from && e.get("timestamp").asLong() < to);
        assertThat(inTime).isNotEmpty();
        assertThat(replay(parley, room, "?fromTime=" + Instant.ofEpochMilli(from) + "&toTime=" + Instant.ofEpochMilli(to), alice))
                .isEqualTo(inTime);

        // Bob left with leave-room: the room's log is no longer his to read.
        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(
                        URI.create(parley.services.historyUrl() + "/v1/rooms/" + room + "/events"))
                .header("Authorization", "Bearer " + parley.token(bob)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("AUTHORIZATION_FAILED").doesNotContain("line");
    }
}
