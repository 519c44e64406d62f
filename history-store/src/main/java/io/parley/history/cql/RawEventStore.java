// Owns the room_events and room_event_buckets tables: every room event verbatim (any type), written
// grouped per partition, and read back in seq order (optionally within a time range) for replays.
package io.parley.history.cql;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.parley.history.writer.LoggedEvent;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw events by {@code (room_id, bucket, seq)} (the messages' bucket math) and, per room, the
 * buckets holding events with their first / last event time. Writes are upserts (idempotent, any
 * order): the bucket times are written with cell timestamps that make the earliest {@code first_at}
 * and the latest {@code last_at} win. Reads page through one partition at a time.
 */
public final class RawEventStore implements EventLog {
    /** Cell timestamps of first_at: FIRST_BASE - event time, so the earliest time has the highest. */
    static final long FIRST_BASE = 1L << 62;
    private static final int PAGE = 500;

    private final CqlSession session;
    private final Buckets buckets;
    private final PreparedStatement insert;
    private final PreparedStatement first;
    private final PreparedStatement last;
    private final PreparedStatement selectBuckets;
    private final PreparedStatement selectEvents;

    public RawEventStore(CqlSession session, String keyspace, Buckets buckets) {
        this.session = session;
        this.buckets = buckets;
        this.insert = session.prepare("INSERT INTO " + keyspace + ".room_events (room_id, bucket, seq, type, event_id,"
                + " user_id, created_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        this.first = session.prepare("UPDATE " + keyspace + ".room_event_buckets USING TIMESTAMP ? SET first_at = ?"
                + " WHERE room_id = ? AND bucket = ?");
        this.last = session.prepare("UPDATE " + keyspace + ".room_event_buckets USING TIMESTAMP ? SET last_at = ?"
                + " WHERE room_id = ? AND bucket = ?");
        this.selectBuckets = session.prepare("SELECT bucket, first_at, last_at FROM " + keyspace + ".room_event_buckets"
                + " WHERE room_id = ? AND bucket >= ? AND bucket <= ?");
        this.selectEvents = session.prepare("SELECT seq, created_at, payload FROM " + keyspace + ".room_events"
                + " WHERE room_id = ? AND bucket = ? AND seq >= ? AND seq <= ?");
    }

    private record Partition(String roomId, int bucket) {}

    /**
     * Adds every event's row to {@code rows} (sent with the other tables' rows of the same partition
     * key by the caller's {@link PartitionWrites#flush}) and the bucket times of each room to its
     * room rows (sent with the room's heads by {@link PartitionWrites#flushRoomRows}, once the
     * events' rows are stored: a bucket is listed only when its rows are there).
     */
    public void write(List<LoggedEvent> events, PartitionWrites rows) {
        Map<Partition, List<LoggedEvent>> partitions = new LinkedHashMap<>();
        for (LoggedEvent event : events) {
            partitions.computeIfAbsent(new Partition(event.roomId(), buckets.of(event.seq())), k -> new ArrayList<>()).add(event);
        }
        partitions.forEach((partition, inPartition) -> {
            long earliest = Long.MAX_VALUE;
            long latest = Long.MIN_VALUE;
            for (LoggedEvent event : inPartition) {
                rows.add(event.roomId(), partition.bucket(), insert.bind(event.roomId(), partition.bucket(), event.seq(),
                                event.type(), event.eventId(), event.userId(), Instant.ofEpochMilli(event.timestamp()),
                                event.payload()).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM),
                        event.payload().length() + 96);
                earliest = Math.min(earliest, event.timestamp());
                latest = Math.max(latest, event.timestamp());
            }
            rows.addRoomRow(partition.roomId(), first.bind(FIRST_BASE - earliest, Instant.ofEpochMilli(earliest),
                    partition.roomId(), partition.bucket()).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 64);
            rows.addRoomRow(partition.roomId(), last.bind(latest, Instant.ofEpochMilli(latest),
                    partition.roomId(), partition.bucket()).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM), 64);
        });
    }

    @Override
    public long replay(String roomId, ReplayRange range, Out out) throws IOException {
        // Seqs past the last bucket a seq can have (2^31 buckets) select nothing more, not an error.
        if (range.fromSeq() / buckets.size() > Integer.MAX_VALUE) {
            return 0;
        }
        int firstBucket = buckets.of(range.fromSeq());
        int lastBucket = (int) Math.min(range.toSeq() / buckets.size(), Integer.MAX_VALUE);
        List<Integer> selected = new ArrayList<>();
        for (Row row : session.execute(selectBuckets.bind(roomId, firstBucket, lastBucket)
                .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM).setPageSize(PAGE))) {
            Instant firstAt = row.getInstant("first_at");
            Instant lastAt = row.getInstant("last_at");
            if (firstAt == null || lastAt == null || range.overlaps(firstAt.toEpochMilli(), lastAt.toEpochMilli())) {
                selected.add(row.getInt("bucket"));
            }
        }
        long sent = 0;
        for (int bucket : selected) {
            long from = Math.max(range.fromSeq(), buckets.firstSeq(bucket));
            long to = Math.min(range.toSeq(), buckets.lastSeq(bucket));
            if (from > to) {
                continue;
            }
            for (Row row : session.execute(selectEvents.bind(roomId, bucket, from, to)
                    .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM).setPageSize(PAGE))) {
                Instant at = row.getInstant("created_at");
                if (range.fromTime() != null || range.toTime() != null) {
                    if (at == null || !range.inTime(at.toEpochMilli())) {
                        continue;
                    }
                }
                out.event(row.getString("payload"));
                sent++;
            }
        }
        return sent;
    }
}
