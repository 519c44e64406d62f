// Owns what one batch of room events becomes in Cassandra: every event raw (room_events), the known
// ones also as messages, heads, memberships, rooms and read positions; the rows of messages and
// room_events that share a partition key (room_id, bucket) go in one batch, then each room's bucket
// times and heads (partition key room_id) in one more. The live writer and the rebuild share it, so
// both write the same rows.
package io.parley.history.writer;

import io.parley.contracts.event.RoomEvent;
import io.parley.history.cql.BoundedCql;
import io.parley.history.cql.MessageStore;
import io.parley.history.cql.PartitionWrites;
import io.parley.history.cql.RawEventStore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The history store's {@link EventSink}: idempotent, writes bounded by one {@link BoundedCql}. */
public final class CassandraSink implements EventSink {
    private final MessageStore messages;
    private final RawEventStore raw;
    private final BoundedCql cql;

    public CassandraSink(MessageStore messages, RawEventStore raw, BoundedCql cql) {
        this.messages = messages;
        this.raw = raw;
        this.cql = cql;
    }

    @Override
    public CompletionStage<Void> write(List<LoggedEvent> events) {
        List<CompletableFuture<?>> writes = new ArrayList<>(events.size());
        List<RoomEvent> known = new ArrayList<>(events.size());
        for (LoggedEvent event : events) {
            if (event.event() != null) {
                known.add(event.event());
            }
        }
        try {
            PartitionWrites partitions = new PartitionWrites();
            raw.write(events, partitions);
            return messages.write(known, cql, writes, partitions);
        } catch (RuntimeException e) {
            // A statement that could not even be sent: wait for those sent (their permits), then fail.
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .handle((done, failure) -> { throw e; });
        }
    }
}
