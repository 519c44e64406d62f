// Owns the grouping of one batch's row writes by partition key (room_id, bucket), across the tables
// that share it (messages, room_events), so each partition key costs one request and one mutation.
package io.parley.history.cql;

import com.datastax.oss.driver.api.core.cql.BoundStatement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Rows of {@code messages} and {@code room_events} collected per {@code (room_id, bucket)}, then
 * sent by {@link #flush} as single-partition UNLOGGED batches ({@link BoundedCql#grouped}): rows of
 * both tables under one partition key go into one Cassandra mutation. Not thread-safe: one per batch.
 */
public final class PartitionWrites {
    private record Key(String roomId, int bucket) {}

    private static final class Rows {
        final List<BoundStatement> statements = new ArrayList<>();
        int[] sizes = new int[16];

        void add(BoundStatement statement, int size) {
            if (statements.size() == sizes.length) {
                sizes = java.util.Arrays.copyOf(sizes, sizes.length * 2);
            }
            sizes[statements.size()] = size;
            statements.add(statement);
        }
    }

    private final Map<Key, Rows> partitions = new LinkedHashMap<>();

    /** Adds a row of partition {@code (roomId, bucket)}, {@code size}: its estimated bytes. */
    public void add(String roomId, int bucket, BoundStatement row, int size) {
        partitions.computeIfAbsent(new Key(roomId, bucket), k -> new Rows()).add(row, size);
    }

    /** Sends every collected row (one or more batches per partition key), adds the futures, and empties itself. */
    public void flush(BoundedCql cql, List<CompletableFuture<?>> into) {
        partitions.values().forEach(rows -> cql.grouped(rows.statements, rows.sizes, into));
        partitions.clear();
    }
}
