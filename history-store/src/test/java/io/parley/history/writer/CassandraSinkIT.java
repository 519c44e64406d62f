// Integration test of what one batch of the writer costs in CQL requests, counted by BoundedCql against
// the real Cassandra (the figure of docs/benchmarks.md), with the rows it must leave and heads that no
// replay of older events lowers.
package io.parley.history.writer;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.parley.contracts.CqlSchema;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import io.parley.history.cql.BoundedCql;
import io.parley.history.cql.Buckets;
import io.parley.history.cql.MessageStore;
import io.parley.history.cql.RawEventStore;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ParleyStackExtension.class)
class CassandraSinkIT {
    private static final long BASE_TIME = 1_767_225_600_000L;
    /** Requests of a batch per room holding only messages, all in one bucket, whatever its message count: its
     *  rows (messages + room_events) in one batch, then its bucket times and two heads in one more (was 4). */
    static final int REQUESTS_PER_ROOM = 2;

    private CqlSession session;
    private String keyspace;
    private BoundedCql cql;
    private CassandraSink sink;
    private MessageStore store;

    @BeforeEach
    void open(TestStack stack) {
        session = stack.cqlSession();
        keyspace = TestStack.uniqueName("ksink");
        store = MessageStore.open(session, keyspace, CqlSchema.localReplication(), new Buckets(1_000));
        cql = new BoundedCql(session, 256, Duration.ofSeconds(30));
        sink = new CassandraSink(store, new RawEventStore(session, keyspace, new Buckets(1_000)), cql);
    }

    @AfterEach
    void close() {
        session.close();
    }

    private static LoggedEvent logged(RoomEvent event) {
        return LoggedEvent.of(event, new String(Json.writeBytes(event), java.nio.charset.StandardCharsets.UTF_8));
    }

    private static LoggedEvent message(String room, long seq) {
        return logged(new RoomEvent("m-" + room + "-" + seq, room, seq, "u1", BASE_TIME + seq,
                new RoomEvent.MessageSent("m-" + room + "-" + seq, "c-" + seq, "text " + seq, null)));
    }

    private static LoggedEvent joined(String room, long seq) {
        return logged(new RoomEvent("e-" + room + "-" + seq, room, seq, "u" + seq, BASE_TIME + seq, new RoomEvent.MemberJoined()));
    }

    /** Writes the batch and returns the CQL requests it cost. */
    private long write(List<LoggedEvent> batch) throws Exception {
        long before = cql.requests();
        sink.write(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
        return cql.requests() - before;
    }

    private long count(String query, Object... values) {
        return session.execute(session.prepare(query).bind(values)).one().getLong(0);
    }

    private long head(String room, String column) {
        Row row = session.execute(session.prepare("SELECT " + column + " FROM " + keyspace + ".message_heads WHERE room_id = ?")
                .bind(room)).one();
        return row == null || row.isNull(column) ? 0 : row.getLong(column);
    }

    private void assertStored(String room, long messages) {
        assertThat(count("SELECT count(*) FROM " + keyspace + ".messages WHERE room_id = ? AND bucket = 0", room))
                .isEqualTo(messages);
        assertThat(count("SELECT count(*) FROM " + keyspace + ".room_events WHERE room_id = ? AND bucket = 0", room))
                .isEqualTo(messages);
        assertThat(count("SELECT count(*) FROM " + keyspace + ".room_event_buckets WHERE room_id = ?", room)).isEqualTo(1);
        assertThat(head(room, "last_seq")).isEqualTo(messages);
        assertThat(head(room, "event_seq")).isEqualTo(messages);
    }

    /**
     * Writes messages 1..{@code perRoom} of {@code roomCount} fresh rooms in one batch (rooms
     * interleaved, as a poll brings them); the batch costs {@link #REQUESTS_PER_ROOM} CQL requests
     * per room whatever the messages per room, and stores every message.
     */
    private void assertOneBatchCostsTheRequestsPerRoom(int roomCount, long perRoom) throws Exception {
        List<String> rooms = new ArrayList<>();
        for (int r = 0; r < roomCount; r++) {
            rooms.add(TestStack.uniqueName("room-"));
        }
        List<LoggedEvent> batch = new ArrayList<>();
        for (long seq = 1; seq <= perRoom; seq++) {
            for (String room : rooms) {
                batch.add(message(room, seq));
            }
        }

        long requests = write(batch);

        assertThat(requests).as("CQL requests for " + roomCount + " rooms x " + perRoom + " messages")
                .isEqualTo(roomCount * REQUESTS_PER_ROOM);
        System.out.printf("CassandraSinkIT: %d messages over %d rooms in one batch: %d CQL requests (%.2f per message)%n",
                batch.size(), roomCount, requests, requests / (double) batch.size());
        rooms.forEach(room -> assertStored(room, perRoom));
    }

    @Test
    void tenRoomsOfFiveMessagesInOneBatchCostTheCountedRequests() throws Exception {
        assertOneBatchCostsTheRequestsPerRoom(10, 5);
    }

    @Test
    void oneMessagePerRoomCostsTheSameRequestsPerRoom() throws Exception {
        assertOneBatchCostsTheRequestsPerRoom(10, 1);
    }

    @Test
    void readPositionsAndJoinsOfARoomGoInOneBatch() throws Exception {
        String room = TestStack.uniqueName("room-");
        List<LoggedEvent> batch = new ArrayList<>();
        batch.add(message(room, 1));
        for (long seq = 2; seq <= 6; seq++) {
            batch.add(joined(room, seq)); // user u<seq> joins
        }
        for (long seq = 7; seq <= 11; seq++) {
            batch.add(logged(new RoomEvent("r-" + seq, room, seq, "u" + (seq - 5), BASE_TIME + seq, new RoomEvent.ReadPosition(1))));
        }

        long requests = write(batch);

        // rows of messages + room_events; read_positions + room_members; bucket times + heads; and one
        // user_rooms row per join (partition user_id: RoomStore, a request each).
        assertThat(requests).as("CQL requests for 1 message, 5 joins, 5 read positions").isEqualTo(3 + 5);
        assertThat(count("SELECT count(*) FROM " + keyspace + ".read_positions WHERE room_id = ?", room)).isEqualTo(5);
        assertThat(count("SELECT count(*) FROM " + keyspace + ".room_members WHERE room_id = ?", room)).isEqualTo(5);
        assertThat(store.isMember(room, "u2")).isTrue();
        assertThat(store.of(room, "u6")).isEqualTo(1);
        assertThat(head(room, "last_seq")).isEqualTo(1);
        assertThat(head(room, "event_seq")).isEqualTo(11);
    }

    @Test
    void aReplayOfOlderEventsLowersNeitherHead() throws Exception {
        String room = TestStack.uniqueName("room-");
        List<LoggedEvent> all = List.of(message(room, 1), message(room, 2), joined(room, 3), message(room, 4),
                joined(room, 5), joined(room, 6));
        write(all.subList(3, 6)); // 4-6 stored first: message head 4, event head 6
        assertThat(head(room, "last_seq")).isEqualTo(4);
        assertThat(head(room, "event_seq")).isEqualTo(6);

        write(all.subList(0, 3)); // then the older 1-3 (a replay, or a rebuild's batches completing out of order)
        assertThat(head(room, "last_seq")).as("message head not lowered").isEqualTo(4);
        assertThat(head(room, "event_seq")).as("event head not lowered").isEqualTo(6);

        write(all.subList(0, 2)); // older messages alone
        assertThat(head(room, "last_seq")).isEqualTo(4);
        assertThat(head(room, "event_seq")).isEqualTo(6);

        write(List.of(joined(room, 7))); // a newer event with no message: only the event head moves
        assertThat(head(room, "last_seq")).isEqualTo(4);
        assertThat(head(room, "event_seq")).isEqualTo(7);
    }
}
