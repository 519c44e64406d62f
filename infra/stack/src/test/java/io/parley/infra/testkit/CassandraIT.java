package io.parley.infra.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The messages table of Parley's schema, in a keyspace of the test's own. */
@ExtendWith(ParleyStackExtension.class)
class CassandraIT {

    private static final String COLUMNS = "room_id, bucket, seq, message_id, sender_id, body, created_at";

    @Test
    void insertedMessageIsReadBackAndUpsertsAreIdempotent(TestStack stack) {
        String keyspace = stack.newKeyspace();
        try (CqlSession session = stack.cqlSession()) {
            PreparedStatement insert = session.prepare(
                    "INSERT INTO " + keyspace + ".messages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
            PreparedStatement selectOne = session.prepare(
                    "SELECT " + COLUMNS + " FROM " + keyspace + ".messages WHERE room_id = ? AND bucket = ? AND seq = ?");
            PreparedStatement selectPartition = session.prepare(
                    "SELECT seq, body FROM " + keyspace + ".messages WHERE room_id = ? AND bucket = ?");
            Instant createdAt = Instant.parse("2026-01-02T03:04:05.678Z"); // CQL timestamps keep milliseconds

            session.execute(insert.bind("room-1", 7, 42L, "m-42", "alice", "hello, world", createdAt));

            Row row = session.execute(selectOne.bind("room-1", 7, 42L)).one();
            assertThat(row).isNotNull();
            assertThat(row.getString("room_id")).isEqualTo("room-1");
            assertThat(row.getInt("bucket")).isEqualTo(7);
            assertThat(row.getLong("seq")).isEqualTo(42L);
            assertThat(row.getString("message_id")).isEqualTo("m-42");
            assertThat(row.getString("sender_id")).isEqualTo("alice");
            assertThat(row.getString("body")).isEqualTo("hello, world");
            assertThat(row.getInstant("created_at")).isEqualTo(createdAt);

            // Replaying the same event (same primary key) leaves exactly one row.
            session.execute(insert.bind("room-1", 7, 42L, "m-42", "alice", "hello, world", createdAt));
            List<Row> partition = session.execute(selectPartition.bind("room-1", 7)).all();
            assertThat(partition).hasSize(1);
            assertThat(partition.getFirst().getString("body")).isEqualTo("hello, world");

            // A write with the same key is an upsert, not a second row.
            session.execute(insert.bind("room-1", 7, 42L, "m-42", "alice", "hello, edited", createdAt));
            partition = session.execute(selectPartition.bind("room-1", 7)).all();
            assertThat(partition).hasSize(1);
            assertThat(partition.getFirst().getString("body")).isEqualTo("hello, edited");
        }
    }

    @Test
    void partitionIsNewestFirstAndBucketsAreSeparate(TestStack stack) {
        String keyspace = stack.newKeyspace();
        try (CqlSession session = stack.cqlSession()) {
            PreparedStatement insert = session.prepare(
                    "INSERT INTO " + keyspace + ".messages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
            for (long seq : new long[] {2, 3, 1}) {
                session.execute(insert.bind("room-2", 0, seq, "m-" + seq, "bob", "body " + seq, Instant.now()));
            }
            session.execute(insert.bind("room-2", 1, 4L, "m-4", "bob", "body 4", Instant.now()));

            List<Long> seqs = session.execute(session.prepare(
                            "SELECT seq FROM " + keyspace + ".messages WHERE room_id = ? AND bucket = ?").bind("room-2", 0))
                    .all().stream().map(r -> r.getLong("seq")).toList();
            assertThat(seqs).containsExactly(3L, 2L, 1L);
        }
    }
}
