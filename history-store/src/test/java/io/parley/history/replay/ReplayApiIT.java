// Integration test of GET /v1/rooms/{roomId}/events against the real Kafka and Cassandra: the NDJSON
// a member gets is the room's records on room-events, byte for byte, every type (an unknown one too),
// across buckets; seq and time ranges select exactly their events; non-members get nothing.
package io.parley.history.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import io.parley.history.CheckedProducer;
import io.parley.history.Fixtures;
import io.parley.history.HistoryConfig;
import io.parley.history.HistoryTestConfig;
import io.parley.history.HistoryStore;
import io.parley.history.LogReader;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class ReplayApiIT {
    private static final long BASE = 1_767_225_600_000L;

    private final HttpClient http = HttpClient.newHttpClient();
    private final TokenIssuer issuer = new TokenIssuer(HistoryTestConfig.SECRET, "parley", "parley");

    /** Room events as record values, in log order: known types through the contracts' serde, one type no build knows yet. */
    static List<byte[]> roomLog(String room, int count) {
        List<byte[]> values = new ArrayList<>();
        for (long seq = 1; seq <= count; seq++) {
            // Timestamps rise by a second per seq, except every 10th event comes from a clock 30 s behind.
            long at = BASE + seq * 1_000 - (seq % 10 == 0 ? 30_000 : 0);
            RoomEvent.Body body = seq == 1 ? new RoomEvent.MemberJoined()
                    : seq % 7 == 0 ? new RoomEvent.ReadPosition(seq - 1)
                    : seq % 11 == 0 ? new RoomEvent.MemberLeft("disconnect")
                    : new RoomEvent.MessageSent("m-" + room + "-" + seq, "c" + seq, "hello ☕ " + seq, null);
            String user = seq == 1 || seq % 7 == 0 ? "alice" : "user-" + (seq % 3);
            if (seq % 13 == 0) {
                // A type added by a later processor, with fields no RoomEvent record has.
                values.add(("{\"eventId\":\"e-" + seq + "\",\"roomId\":\"" + room + "\",\"seq\":" + seq
                        + ",\"userId\":\"alice\",\"timestamp\":" + at
                        + ",\"body\":{\"type\":\"room-updated\",\"name\":\"Renamed " + seq + "\",\"extra\":{\"k\":[1,2]}}}")
                        .getBytes(StandardCharsets.UTF_8));
            } else {
                values.add(Json.writeBytes(new RoomEvent("e-" + seq, room, seq, user, at, body)));
            }
        }
        return values;
    }

    static void produce(String bootstrap, String topic, String key, List<byte[]> values) {
        try (CheckedProducer<String, byte[]> producer = new CheckedProducer<>(bootstrap,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, key, value));
            }
        }
    }

    private HttpResponse<String> events(int port, String room, String query, String user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/rooms/" + room + "/events" + query));
        if (user != null) {
            request.header("Authorization", "Bearer " + issuer.mint(user, Duration.ofMinutes(10)));
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static List<String> lines(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        String body = response.body();
        assertThat(body.isEmpty() || body.endsWith("\n")).as("every line ends with a newline").isTrue();
        return body.isEmpty() ? List.of() : List.of(body.split("\n"));
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
    void replayOutputEqualsTheLog(TestStack stack) throws Exception {
        HistoryConfig config = HistoryTestConfig.fresh(stack, "history").withBucketSize(16);
        String keyspace = config.keyspace();
        String groupId = config.groupId();
        String room = TestStack.uniqueName("room-");
        String other = TestStack.uniqueName("room-");
        produce(stack.kafkaBootstrap(), config.roomEventsTopic(), room, roomLog(room, 75));
        produce(stack.kafkaBootstrap(), config.roomEventsTopic(), other, roomLog(other, 20));

        try (HistoryStore store = HistoryStore.start(config)) {
            await().atMost(Duration.ofSeconds(90)).until(() -> Fixtures.caughtUp(stack.kafkaBootstrap(), config.roomEventsTopic(), groupId));
            int port = store.port();

            // The log, as Kafka has it: the room's records in offset order (one partition, by key).
            List<String> log = LogReader.readAll(stack.kafkaBootstrap(), config.roomEventsTopic()).stream()
                    .filter(r -> room.equals(r.key())).map(LogReader.Logged::value).toList();
            assertThat(log).hasSize(75);
            assertThat(log).anyMatch(v -> v.contains("\"room-updated\""));

            List<String> all = lines(events(port, room, "", "alice"));
            assertThat(all).as("replay output equals the log").isEqualTo(log);

            List<String> seqRange = lines(events(port, room, "?fromSeq=10&toSeq=40", "alice"));
            assertThat(seqRange).isEqualTo(select(log, e -> e.get("seq").asLong() >= 10 && e.get("seq").asLong() <= 40));
            assertThat(seqRange).hasSize(31);
            assertThat(lines(events(port, room, "?fromSeq=70", "alice"))).isEqualTo(log.subList(69, 75));
            assertThat(lines(events(port, room, "?fromSeq=76", "alice"))).isEmpty();
            assertThat(lines(events(port, room, "?fromSeq=" + (Long.MAX_VALUE - 1), "alice"))).isEmpty();
            assertThat(lines(events(port, room, "?toSeq=" + (Long.MAX_VALUE - 1), "alice"))).isEqualTo(log);

            // Time range: [base+20s, base+50s) -- the late-clock events (every 10th) count by their own time.
            Instant from = Instant.ofEpochMilli(BASE + 20_000);
            Instant to = Instant.ofEpochMilli(BASE + 50_000);
            List<String> timeRange = lines(events(port, room, "?fromTime=" + from + "&toTime=" + to, "alice"));
            List<String> expected = select(log, e -> e.get("timestamp").asLong() >= from.toEpochMilli()
                    && e.get("timestamp").asLong() < to.toEpochMilli());
            assertThat(timeRange).isEqualTo(expected);
            assertThat(expected).anyMatch(v -> v.contains("\"seq\":50,")).anyMatch(v -> v.contains("\"seq\":60,"));
            // Combined with a seq range, and with an offset in the time.
            assertThat(lines(events(port, room, "?fromTime=2026-01-01T01:00:20%2B01:00&fromSeq=30&toSeq=45", "alice")))
                    .isEqualTo(select(log, e -> e.get("timestamp").asLong() >= BASE + 20_000
                            && e.get("seq").asLong() >= 30 && e.get("seq").asLong() <= 45));

            // Members only; bad input refused with a code.
            HttpResponse<String> stranger = events(port, room, "", "mallory");
            assertThat(stranger.statusCode()).isEqualTo(403);
            assertThat(stranger.body()).contains("AUTHORIZATION_FAILED").doesNotContain("hello");
            assertThat(events(port, room, "", null).statusCode()).isEqualTo(401);
            for (String bad : List.of("?fromSeq=0", "?fromSeq=x", "?fromSeq=5&toSeq=4", "?fromTime=yesterday",
                    "?fromTime=2026-01-02T00:00:00Z&toTime=2026-01-01T00:00:00Z", "?toSeq=1&toSeq=2")) {
                HttpResponse<String> response = events(port, room, bad, "alice");
                assertThat(response.statusCode()).as(bad).isEqualTo(400);
                assertThat(response.body()).as(bad).contains("INVALID_MESSAGE");
            }
            assertThat(events(port, "bad%20room", "", "alice").statusCode()).isEqualTo(400);
        }
    }
}
