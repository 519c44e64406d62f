// Owns the integration tests' helpers: producing room events, "caught up" checks, row snapshots, HTTP.
package io.parley.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.json.Serdes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

public final class Fixtures {
    static final String SECRET = HistoryTestConfig.SECRET;
    static final long BASE_TIME = 1_767_225_600_000L;

    private Fixtures() {}

    static RoomEvent message(String roomId, long seq) {
        String clientMsgId = seq % 3 == 0 ? null : "c-" + seq;
        String replyTo = seq % 5 == 0 ? "m-" + roomId + "-" + (seq - 1) : null;
        return new RoomEvent("m-" + roomId + "-" + seq, roomId, seq, "user-" + (seq % 4), BASE_TIME + seq,
                seq % 2 == 0
                        ? new RoomEvent.MessageSent("m-" + roomId + "-" + seq, clientMsgId, "text " + seq + " ☕", replyTo)
                        : new RoomEvent.MessageSent("m-" + roomId + "-" + seq, clientMsgId, "https://img/" + seq + ".png", "image",
                                replyTo, "User " + (seq % 4), "https://img/user-" + (seq % 4) + ".png"));
    }

    static RoomEvent joined(String roomId, long seq) {
        return joined(roomId, seq, "user-x");
    }

    static RoomEvent joined(String roomId, long seq, String userId) {
        return new RoomEvent("e-" + roomId + "-" + seq, roomId, seq, userId, BASE_TIME + seq, new RoomEvent.MemberJoined());
    }

    /** {@code reason}: "client" (leave-room, ends the membership) or "disconnect" (keeps it). */
    static RoomEvent left(String roomId, long seq, String userId, String reason) {
        return new RoomEvent("e-" + roomId + "-" + seq, roomId, seq, userId, BASE_TIME + seq, new RoomEvent.MemberLeft(reason));
    }

    static void produce(String bootstrap, String topic, List<RoomEvent> events) {
        try (CheckedProducer<String, RoomEvent> producer = new CheckedProducer<>(bootstrap,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), Serdes.roomEvent().serializer())) {
            for (RoomEvent event : events) {
                producer.send(new ProducerRecord<>(topic, event.roomId(), event));
            }
        }
    }

    static void produceRaw(String bootstrap, String topic, String key, byte[] value) {
        try (CheckedProducer<String, byte[]> producer = new CheckedProducer<>(bootstrap, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }
    }

    /** True when the group has committed the end offset of every partition of the topic. */
    public static boolean caughtUp(String bootstrap, String topic, String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            return ends.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return (c == null ? 0 : c.offset()) == e.getValue().offset();
            });
        }
    }

    /** Committed offsets of the group (empty if it never committed). */
    static Map<TopicPartition, OffsetAndMetadata> committed(String bootstrap, String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }
    }

    /** Every row of the messages, message_heads, room_members and rooms tables, every column, sorted: equal snapshots = identical rows. */
    static List<String> snapshot(CqlSession session, String keyspace) {
        List<String> rows = new ArrayList<>();
        for (Row row : session.execute("SELECT room_id, bucket, seq, message_id, sender_id, body, created_at,"
                + " client_msg_id, reply_to, event_id FROM " + keyspace + ".messages")) {
            rows.add("messages " + columns(row, 10));
        }
        for (Row row : session.execute("SELECT room_id, last_seq FROM " + keyspace + ".message_heads")) {
            rows.add("heads " + columns(row, 2));
        }
        for (Row row : session.execute("SELECT room_id, user_id, member, role FROM " + keyspace + ".room_members")) {
            rows.add("members " + columns(row, 4));
        }
        for (Row row : session.execute("SELECT room_id, name, description, room_type, owner_id, max_users FROM "
                + keyspace + ".rooms")) {
            rows.add("rooms " + columns(row, 6));
        }
        rows.sort(null);
        return rows;
    }

    private static String columns(Row row, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(String.valueOf(row.getObject(i)));
        }
        return String.join("|", values);
    }

    /** Stored seqs per room, from the messages table. */
    static Map<String, List<Long>> storedSeqs(CqlSession session, String keyspace) {
        List<Row> rows = session.execute("SELECT room_id, seq FROM " + keyspace + ".messages").all();
        return rows.stream().collect(Collectors.groupingBy(r -> r.getString("room_id"),
                Collectors.mapping(r -> r.getLong("seq"), Collectors.collectingAndThen(Collectors.toList(),
                        l -> l.stream().sorted().toList()))));
    }

    record Response(int status, JsonNode body) {}

    static Response get(HttpClient http, int port, String pathAndQuery, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = response.body().isEmpty() ? null : Json.MAPPER.readTree(response.body());
        return new Response(response.statusCode(), body);
    }

    static List<Long> seqs(JsonNode page) {
        List<Long> seqs = new ArrayList<>();
        page.get("messages").forEach(m -> seqs.add(m.get("seq").asLong()));
        return seqs;
    }

}
