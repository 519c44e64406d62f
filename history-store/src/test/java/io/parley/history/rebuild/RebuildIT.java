// Integration test of the rebuild against the real Kafka and Cassandra: 100,000 messages (and member,
// room, role, read-position and unknown-type events) stored live by the history store, then rebuilt
// from offset 0 into a new keyspace, stopped halfway and resumed: every table row for row the same
// as the live one; a second full run into the same keyspace changes nothing. Rates are printed only.
package io.parley.history.rebuild;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.Row;
import io.parley.contracts.CqlSchema;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import io.parley.history.CheckedProducer;
import io.parley.history.HistoryConfig;
import io.parley.history.HistoryTestConfig;
import io.parley.history.HistoryStore;
import io.parley.history.cql.BoundedCql;
import io.parley.history.cql.Buckets;
import io.parley.history.cql.MessageStore;
import io.parley.history.cql.RawEventStore;
import io.parley.history.writer.CassandraSink;
import io.parley.history.writer.EventSink;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class RebuildIT {
    private static final long BASE = 1_767_225_600_000L;
    private static final int ROOMS = 40;
    private static final int MESSAGES = 100_000;
    private static final Buckets BUCKETS = new Buckets(1_000);
    private static final List<String> TABLES = List.of("messages", "message_heads", "read_positions", "room_members",
            "rooms", "room_events", "room_event_buckets");

    /** Produces the room log straight to room-events in large batches; returns the number of records. */
    private static long produceLog(String bootstrap, String topic, String prefix) {
        long records = 0;
        try (CheckedProducer<String, byte[]> producer = new CheckedProducer<>(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024), new StringSerializer(), new ByteArraySerializer())) {
            long[] seqs = new long[ROOMS];
            for (int r = 0; r < ROOMS; r++) {
                String room = prefix + r;
                List<RoomEvent> opening = new ArrayList<>();
                if (r % 4 == 0) {
                    opening.add(new RoomEvent("c" + r, room, ++seqs[r], "owner-" + r, BASE,
                            new RoomEvent.RoomCreated("Room " + r, r % 8 == 0 ? "about " + r : null, "private", r % 8 == 0 ? 50 : null)));
                    opening.add(new RoomEvent("a" + r, room, ++seqs[r], "owner-" + r, BASE, new RoomEvent.MemberAdded("pat", "member")));
                    opening.add(new RoomEvent("s" + r, room, ++seqs[r], "owner-" + r, BASE, new RoomEvent.RoleSet("pat", "admin")));
                }
                opening.add(new RoomEvent("j" + r, room, ++seqs[r], "alice", BASE, new RoomEvent.MemberJoined()));
                for (RoomEvent event : opening) {
                    producer.send(new ProducerRecord<>(topic, room, Json.writeBytes(event)));
                    records++;
                }
            }
            for (int i = 0; i < MESSAGES; i++) {
                int r = i % ROOMS;
                String room = prefix + r;
                long seq = ++seqs[r];
                String user = "user-" + (i % 7);
                RoomEvent.MessageSent body = i % 3 == 0
                        ? new RoomEvent.MessageSent("m" + i, "c" + i, "message " + i + " ☕", i % 10 == 0 ? "m" + (i - ROOMS) : null)
                        : new RoomEvent.MessageSent("m" + i, null, "https://img/" + i + ".png", "image", null, "User " + (i % 7), null);
                producer.send(new ProducerRecord<>(topic, room, Json.writeBytes(new RoomEvent("m" + i, room, seq, user, BASE + i, body))));
                records++;
                if (i % 997 == 0) {
                    RoomEvent read = new RoomEvent("r" + i, room, ++seqs[r], user, BASE + i, new RoomEvent.ReadPosition(seq));
                    producer.send(new ProducerRecord<>(topic, room, Json.writeBytes(read)));
                    records++;
                }
                if (i % 4999 == 0) {
                    String unknown = "{\"eventId\":\"x" + i + "\",\"roomId\":\"" + room + "\",\"seq\":" + (++seqs[r])
                            + ",\"userId\":\"alice\",\"timestamp\":" + (BASE + i) + ",\"body\":{\"type\":\"member-archived\",\"memberId\":\"" + user + "\"}}";
                    producer.send(new ProducerRecord<>(topic, room, unknown.getBytes(StandardCharsets.UTF_8)));
                    records++;
                }
                if (i % 2503 == 0) {
                    RoomEvent left = new RoomEvent("l" + i, room, ++seqs[r], user, BASE + i, new RoomEvent.MemberLeft(i % 2 == 0 ? "client" : "disconnect"));
                    producer.send(new ProducerRecord<>(topic, room, Json.writeBytes(left)));
                    records++;
                }
            }
            producer.flush();
        }
        return records;
    }

    private static long committedSum(String bootstrap, String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    private static long endSum(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    /** Every row of a table, every column (by name), sorted: equal lists = identical tables. */
    private static List<String> rows(CqlSession session, String keyspace, String table) {
        List<String> rows = new ArrayList<>();
        for (Row row : session.execute("SELECT * FROM " + keyspace + "." + table)) {
            StringBuilder line = new StringBuilder();
            for (ColumnDefinition column : row.getColumnDefinitions()) {
                line.append(column.getName().asInternal()).append('=').append(row.getObject(column.getName())).append('|');
            }
            rows.add(line.toString());
        }
        rows.sort(null);
        return rows;
    }

    private static void assertSameRows(CqlSession session, String live, String rebuilt) {
        for (String table : TABLES) {
            List<String> expected = rows(session, live, table);
            List<String> actual = rows(session, rebuilt, table);
            assertThat(actual.size()).as("rows of %s", table).isEqualTo(expected.size());
            assertThat(actual).as("rows of %s, row for row", table).isEqualTo(expected);
        }
    }

    @Test
    void rebuildOf100000MessagesReproducesTheSameRowsAndResumes(TestStack stack) throws Exception {
        String namespace = stack.newTopicNamespace();
        String live = stack.newKeyspace();
        String liveGroup = TestStack.uniqueName("history");
        String prefix = TestStack.uniqueName("room-") + "-";
        HistoryConfig config = HistoryTestConfig.config(stack, namespace, live, liveGroup)
                .withBucketSize(BUCKETS.size());
        long records = produceLog(stack.kafkaBootstrap(), config.roomEventsTopic(), prefix);
        assertThat(endSum(stack.kafkaBootstrap(), config.roomEventsTopic())).isEqualTo(records);

        // The live tables: the history store's own writer.
        long liveStart = System.nanoTime();
        try (HistoryStore ignored = HistoryStore.start(config)) {
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> committedSum(stack.kafkaBootstrap(), liveGroup) == records);
        }
        System.out.printf("RebuildIT: the live writer stored %,d events in %.1f s%n", records, (System.nanoTime() - liveStart) / 1e9);

        String rebuilt = TestStack.uniqueName("krebuilt");
        String group = "parley-rebuild-" + rebuilt;
        try (CqlSession session = stack.cqlSession()) {
            // Run 1, stopped after about a third: what it committed was stored.
            MessageStore messages = MessageStore.open(session, rebuilt, CqlSchema.localReplication(), BUCKETS);
            CassandraSink cassandra = new CassandraSink(messages, new RawEventStore(session, rebuilt, BUCKETS),
                    new BoundedCql(session, 512, Duration.ofSeconds(30)));
            AtomicLong written = new AtomicLong();
            Rebuild[] first = new Rebuild[1];
            EventSink stopping = events -> {
                if (written.addAndGet(events.size()) >= records / 3) {
                    first[0].stop();
                }
                return cassandra.write(events);
            };
            first[0] = new Rebuild(new Rebuild.Settings(stack.kafkaBootstrap(), config.roomEventsTopic(), group, 8, 10,
                    Duration.ofSeconds(2)), stopping, System.out);
            Rebuild.Result one = first[0].run();
            assertThat(one.completed()).isFalse();
            assertThat(one.stored()).isBetween(records / 3, records - 1);
            assertThat(committedSum(stack.kafkaBootstrap(), group)).as("committed = stored").isEqualTo(one.stored());

            // Run 2, the command's own wiring, same group: resumes where run 1 committed, to the end.
            HistoryConfig rebuildConfig = config.withKeyspace(live);
            RebuildMain.Options options = RebuildMain.Options.parse(new String[] {"--keyspace", rebuilt, "--progress-seconds", "2"});
            assertThat(options.groupId()).isEqualTo(group);
            Rebuild.Result two = RebuildMain.run(rebuildConfig, options, BUCKETS, System.out, started -> { });
            assertThat(two.completed()).isTrue();
            assertThat(one.stored() + two.stored()).as("nothing read twice, nothing skipped").isEqualTo(records);
            assertThat(committedSum(stack.kafkaBootstrap(), group)).isEqualTo(records);
            System.out.printf("RebuildIT: rebuild rate (not asserted, a busy test machine): %,.0f events/s (run 2: %,d events)%n",
                    two.rate(), two.stored());
            assertSameRows(session, live, rebuilt);

            // Run 3: a fresh group from offset 0 into the same keyspace: idempotent, the same rows again.
            RebuildMain.Options again = RebuildMain.Options.parse(new String[] {"--keyspace", rebuilt, "--group", group + "-again"});
            Rebuild.Result three = RebuildMain.run(rebuildConfig, again, BUCKETS, System.out, started -> { });
            assertThat(three.stored()).isEqualTo(records);
            System.out.printf("RebuildIT: full rebuild rate (not asserted, a busy test machine): %,.0f events/s%n", three.rate());
            assertSameRows(session, live, rebuilt);
        }
    }
}
