// Owns the grouping of one batch's row writes by partition key, across the tables that share it, so
// each partition key costs one request and one mutation: (room_id, bucket) for messages and
// room_events, and room_id for read_positions, room_members and rooms, sent first; room_id for
// room_event_buckets and message_heads, sent once those succeeded.
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
 * both tables under one partition key go into one Cassandra mutation. Rows keyed by the room alone
 * are collected apart: room state ({@code read_positions}, {@code room_members}, {@code rooms}) by
 * {@link #addRoomState}, sent by {@link #flush} with the rest, one batch per room; the bucket times
 * and heads ({@code room_event_buckets}, {@code message_heads}) by {@link #addRoomRow}, sent by
 * {@link #flushRoomRows} after the others completed, one batch per room: each statement keeps its
 * own {@code USING TIMESTAMP}. Not
 * thread-safe: one per batch, handed from the consumer thread to the driver thread by the futures.
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
    private final Map<String, Rows> roomState = new LinkedHashMap<>();
    private final Map<String, Rows> roomRows = new LinkedHashMap<>();

    /** Adds a row of partition {@code (roomId, bucket)}, {@code size}: its estimated bytes. */
    public void add(String roomId, int bucket, BoundStatement row, int size) {
        partitions.computeIfAbsent(new Key(roomId, bucket), k -> new Rows()).add(row, size);
    }

    /**
     * Adds a row whose partition key is {@code roomId} alone that {@link #flush} sends with the
     * others (read_positions, room_members, rooms): one batch per room instead of one request per event.
     */
    public void addRoomState(String roomId, BoundStatement row, int size) {
        roomState.computeIfAbsent(roomId, k -> new Rows()).add(row, size);
    }

    /** Adds a row whose partition key is {@code roomId} alone (sent by {@link #flushRoomRows}). */
    public void addRoomRow(String roomId, BoundStatement row, int size) {
        roomRows.computeIfAbsent(roomId, k -> new Rows()).add(row, size);
    }

    /**
     * Sends the rows of {@link #addRoomRow} (one batch per room, more only past the batch bounds)
     * outside the bound ({@link BoundedCql#groupedUnbounded}: called on a driver thread), adds the
     * futures and empties itself.
     */
    public void flushRoomRows(BoundedCql cql, List<CompletableFuture<?>> into) {
        roomRows.values().forEach(rows -> cql.groupedUnbounded(rows.statements, rows.sizes, into));
        roomRows.clear();
    }

    /** Sends every row of {@link #add} and {@link #addRoomState} (one or more batches per partition key), adds the futures, and empties itself. */
    public void flush(BoundedCql cql, List<CompletableFuture<?>> into) {
        partitions.values().forEach(rows -> cql.grouped(rows.statements, rows.sizes, into));
        partitions.clear();
        roomState.values().forEach(rows -> cql.grouped(rows.statements, rows.sizes, into));
        roomState.clear();
    }
}
