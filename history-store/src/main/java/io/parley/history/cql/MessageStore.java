// Owns the CQL statements of the history store's derived tables: schema application, the
// idempotent upserts of the writer (messages, heads, read positions, rooms, room membership and
// roles) and the partition reads of the API. The raw events' statements are RawEventStore's; rooms
// as objects (lifecycle events, my rooms, the directory) are RoomStore's.
package io.parley.history.cql;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.parley.contracts.CqlSchema;
import io.parley.contracts.event.RoomEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The messages table and its head table, through prepared statements. Writes are upserts keyed by
 * {@code (room_id, bucket, seq)}: writing the same event twice leaves the same row. Heads are
 * written {@code USING TIMESTAMP seq}, so the highest seq wins in any write order.
 * Reads and writes use LOCAL_QUORUM (a page read right after a write sees it).
 */
public final class MessageStore implements MessagePager.Source, ReadPositions, Memberships {
    private static final String COLUMNS =
            "room_id, bucket, seq, message_id, sender_id, body, created_at, client_msg_id, reply_to, event_id,"
                    + " message_type, username, avatar_url";

    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(60);

    private final CqlSession session;
    private final Buckets buckets;
    private final PreparedStatement upsert;
    private final PreparedStatement upsertHead;
    private final PreparedStatement selectHead;
    private final PreparedStatement upsertEventHead;
    private final PreparedStatement selectEventHead;
    private final PreparedStatement upsertRead;
    private final PreparedStatement selectRead;
    private final PreparedStatement selectReads;
    private final PreparedStatement upsertMember;
    private final PreparedStatement upsertMemberRole;
    private final PreparedStatement upsertRoom;
    private final PreparedStatement upsertRole;
    private final PreparedStatement selectMember;
    private final PreparedStatement selectAscending;
    private final PreparedStatement selectDescending;
    private final RoomStore rooms;

    private MessageStore(CqlSession session, String keyspace, Buckets buckets) {
        this.session = session;
        this.buckets = buckets;
        this.upsert = session.prepare("INSERT INTO " + keyspace + ".messages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.upsertHead = session.prepare("UPDATE " + keyspace + ".message_heads USING TIMESTAMP ? SET last_seq = ? WHERE room_id = ?");
        this.selectHead = session.prepare("SELECT last_seq FROM " + keyspace + ".message_heads WHERE room_id = ?");
        this.upsertEventHead = session.prepare("UPDATE " + keyspace + ".message_heads USING TIMESTAMP ? SET event_seq = ? WHERE room_id = ?");
        this.selectEventHead = session.prepare("SELECT event_seq FROM " + keyspace + ".message_heads WHERE room_id = ?");
        this.upsertRead = session.prepare("UPDATE " + keyspace + ".read_positions USING TIMESTAMP ? SET read_seq = ?"
                + " WHERE room_id = ? AND user_id = ?");
        this.selectRead = session.prepare("SELECT read_seq FROM " + keyspace + ".read_positions WHERE room_id = ? AND user_id = ?");
        this.selectReads = session.prepare("SELECT user_id, read_seq FROM " + keyspace + ".read_positions WHERE room_id = ?");
        this.upsertMember = session.prepare("UPDATE " + keyspace + ".room_members USING TIMESTAMP ? SET member = ?"
                + " WHERE room_id = ? AND user_id = ?");
        this.upsertMemberRole = session.prepare("UPDATE " + keyspace + ".room_members USING TIMESTAMP ? SET member = ?, role = ?"
                + " WHERE room_id = ? AND user_id = ?");
        this.upsertRoom = session.prepare("UPDATE " + keyspace + ".rooms USING TIMESTAMP ? SET name = ?, description = ?,"
                + " room_type = ?, owner_id = ?, max_users = ? WHERE room_id = ?");
        this.upsertRole = session.prepare("UPDATE " + keyspace + ".room_members USING TIMESTAMP ? SET role = ?"
                + " WHERE room_id = ? AND user_id = ?");
        this.selectMember = session.prepare("SELECT member FROM " + keyspace + ".room_members WHERE room_id = ? AND user_id = ?");
        String select = "SELECT " + COLUMNS + " FROM " + keyspace + ".messages"
                + " WHERE room_id = ? AND bucket = ? AND seq > ? AND seq < ? ORDER BY seq ";
        this.selectAscending = session.prepare(select + "ASC LIMIT ?");
        this.selectDescending = session.prepare(select + "DESC LIMIT ?");
        this.rooms = new RoomStore(session, keyspace);
    }

    /** Applies Parley's schema to {@code keyspace} (idempotent) and prepares the statements. */
    public static MessageStore open(CqlSession session, String keyspace, String replication, Buckets buckets) {
        for (String statement : CqlSchema.statements(keyspace, replication)) {
            // DDL waits for schema agreement: far slower than the driver's 2 s default on a busy node.
            session.execute(SimpleStatement.newInstance(statement).setTimeout(SCHEMA_TIMEOUT));
        }
        return new MessageStore(session, keyspace, buckets);
    }

    public Buckets buckets() { return buckets; }

    /** Rooms as objects: the rooms API's reads (and the writes of the room-lifecycle events). */
    public RoomStore rooms() { return rooms; }

    /**
     * Stores the messages, read positions and membership changes among {@code events} (other events
     * are ignored), all at once, then raises each room's head to its highest message seq. Completes
     * when every write succeeded; fails if any failed (the caller writes the whole batch again: it is
     * idempotent).
     */
    public CompletionStage<Void> write(List<RoomEvent> events) {
        return write(events, BoundedCql.defaults(session), new ArrayList<>(), new PartitionWrites());
    }

    /**
     * As {@link #write(List)}, through {@code cql} (bounded in-flight writes), the message rows
     * added to {@code partitions} (with what other tables of the batch put there, e.g. the raw
     * events) and sent with them, grouped per partition key (read positions, room_members and rooms
     * rows: one batch per room); the heads, with the room-keyed rows of
     * {@code partitions} (bucket times), in one batch per room once every future of
     * {@code alongside} (other writes of the same batch) and of the rows here completed.
     */
    public CompletionStage<Void> write(List<RoomEvent> events, BoundedCql cql, List<CompletableFuture<?>> alongside,
                                       PartitionWrites partitions) {
        List<CompletableFuture<?>> writes = alongside;
        Map<String, Long> heads = new HashMap<>();
        Map<String, Long> eventHeads = new HashMap<>();
        for (RoomEvent event : events) {
            if (event.roomId() != null && event.seq() > 0) {
                eventHeads.merge(event.roomId(), event.seq(), Math::max);
            }
            writes.addAll(rooms.write(event, event.userId() == null ? null : membership(event.body()),
                    event.body() instanceof RoomEvent.MemberAdded added ? added.memberId()
                            : event.body() instanceof RoomEvent.MemberRemoved removed ? removed.memberId() : event.userId(),
                    event.body() instanceof RoomEvent.MemberAdded added ? added.role()
                            : event.body() instanceof RoomEvent.RoomCreated ? "owner" : null, cql));
            if (event.body() instanceof RoomEvent.MessageSent message) {
                partitions.add(event.roomId(), buckets.of(event.seq()), bindUpsert(event, message),
                        160 + (message.content() == null ? 0 : message.content().length()));
                heads.merge(event.roomId(), event.seq(), Math::max);
            } else if (event.body() instanceof RoomEvent.ReadPosition read && event.userId() != null) {
                partitions.addRoomState(event.roomId(), upsertRead.bind(read.readSeq(), read.readSeq(), event.roomId(),
                        event.userId()).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 64);
            } else if (event.body() instanceof RoomEvent.RoleSet set && set.memberId() != null) {
                partitions.addRoomState(event.roomId(), upsertRole.bind(event.seq(), set.role(), event.roomId(), set.memberId())
                        .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 64);
            } else if (event.userId() != null && membership(event.body()) instanceof Boolean member) {
                String userId = event.body() instanceof RoomEvent.MemberAdded added ? added.memberId()
                        : event.body() instanceof RoomEvent.MemberRemoved removed ? removed.memberId() : event.userId();
                String role = event.body() instanceof RoomEvent.MemberAdded added ? added.role()
                        : event.body() instanceof RoomEvent.RoomCreated ? "owner" : null;
                if (userId != null) {
                    partitions.addRoomState(event.roomId(), (role == null ? upsertMember.bind(event.seq(), member, event.roomId(), userId)
                                    : upsertMemberRole.bind(event.seq(), member, role, event.roomId(), userId))
                            .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 64);
                }
                if (event.body() instanceof RoomEvent.RoomCreated created) {
                    partitions.addRoomState(event.roomId(), upsertRoom.bind(event.seq(), created.name(), created.description(),
                                    created.roomType(), event.userId(), created.maxUsers(), event.roomId())
                            .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 256);
                }
            }
        }
        partitions.flush(cql, writes);
        // The heads go with the room's other room-keyed rows (bucket times): one batch per room. Two
        // statements, not one SET last_seq = ?, event_seq = ?: each keeps its own USING TIMESTAMP (its
        // seq), so neither head is ever lowered, whatever order batches, replays and rebuilds write in.
        heads.forEach((roomId, seq) -> partitions.addRoomRow(roomId, upsertHead.bind(seq, seq, roomId)
                .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 48));
        eventHeads.forEach((roomId, seq) -> partitions.addRoomRow(roomId, upsertEventHead.bind(seq, seq, roomId)
                .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 48));
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            // After every write of the batch: a reader that sees event_seq >= s finds every message <= s.
            // On a driver thread: not through the bound (whose permits those threads release).
            List<CompletableFuture<?>> roomWrites = new ArrayList<>(eventHeads.size() + 1);
            partitions.flushRoomRows(cql, roomWrites);
            return CompletableFuture.allOf(roomWrites.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * What a room event says of a user's membership: joined, created the room (its owner), added
     * (the added member, not the event's user): true; left by leave-room (reason "client"), removed
     * (the removed member): false;
     * anything else (a disconnect, a message): null, membership unchanged.
     */
    static Boolean membership(RoomEvent.Body body) {
        return switch (body) {
            case RoomEvent.MemberJoined joined -> Boolean.TRUE;
            case RoomEvent.RoomCreated created -> Boolean.TRUE;
            case RoomEvent.MemberAdded added -> Boolean.TRUE;
            case RoomEvent.MemberLeft left when "client".equals(left.reason()) -> Boolean.FALSE;
            case RoomEvent.MemberRemoved removed -> Boolean.FALSE;
            default -> null;
        };
    }

    @Override
    public boolean isMember(String roomId, String userId) {
        Row row = session.execute(selectMember.bind(roomId, userId).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)).one();
        return row != null && !row.isNull("member") && row.getBoolean("member");
    }

    private BoundStatement bindUpsert(RoomEvent event, RoomEvent.MessageSent message) {
        return upsert.bind(event.roomId(), buckets.of(event.seq()), event.seq(), message.messageId(), event.userId(),
                        message.content(), Instant.ofEpochMilli(event.timestamp()), message.clientMsgId(),
                        message.replyTo(), event.eventId(), message.messageType(), message.username(), message.avatarUrl())
                .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM);
    }

    @Override
    public long head(String roomId) {
        Row row = session.execute(selectHead.bind(roomId).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)).one();
        return row == null || row.isNull("last_seq") ? 0 : row.getLong("last_seq");
    }

    /**
     * The highest seq of any event of the room this store has applied (0: none): every message at
     * or below it is stored. Read it before a page to know how far the page is complete.
     */
    @Override
    public long storedSeq(String roomId) {
        Row row = session.execute(selectEventHead.bind(roomId).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)).one();
        return row == null || row.isNull("event_seq") ? 0 : row.getLong("event_seq");
    }

    @Override
    public long of(String roomId, String userId) {
        Row row = session.execute(selectRead.bind(roomId, userId).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)).one();
        return row == null || row.isNull("read_seq") ? 0 : row.getLong("read_seq");
    }

    @Override
    public Map<String, Long> all(String roomId) {
        Map<String, Long> positions = new java.util.TreeMap<>();
        for (Row row : session.execute(selectReads.bind(roomId).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))) {
            positions.put(row.getString("user_id"), row.getLong("read_seq"));
        }
        return positions;
    }

    @Override
    public List<StoredMessage> read(String roomId, int bucket, long afterSeq, long beforeSeq, boolean ascending, int limit) {
        PreparedStatement statement = ascending ? selectAscending : selectDescending;
        List<StoredMessage> messages = new ArrayList<>(limit);
        for (Row row : session.execute(statement.bind(roomId, bucket, afterSeq, beforeSeq, limit)
                .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))) {
            messages.add(toMessage(row));
        }
        return messages;
    }

    private static StoredMessage toMessage(Row row) {
        Instant createdAt = row.getInstant("created_at");
        return new StoredMessage(row.getString("room_id"), row.getLong("seq"), row.getString("message_id"),
                row.getString("sender_id"), row.getString("body"),
                row.isNull("message_type") ? "text" : row.getString("message_type"),
                row.getString("username"), row.getString("avatar_url"), row.getString("client_msg_id"),
                row.getString("reply_to"), row.getString("event_id"), createdAt == null ? 0 : createdAt.toEpochMilli());
    }
}
