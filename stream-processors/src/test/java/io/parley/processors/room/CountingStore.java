/*
 * CountingStore owns the test-side instrumentation of the room-state store: a bytes store wrapped
 * under the real one (RocksDB, below the serde and changelog layers) that records every point
 * read, write and delete with its key, so a test counts the store operations a command costs.
 */
package io.parley.processors.room;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A bytes store that logs "get key", "put key", "delete key" and "range from" of everything it is asked. */
final class CountingStore implements KeyValueStore<Bytes, byte[]> {
    final List<String> ops = new ArrayList<>();
    private final KeyValueStore<Bytes, byte[]> inner;

    private CountingStore(KeyValueStore<Bytes, byte[]> inner) {
        this.inner = inner;
    }

    /** A supplier of one counting store around the real persistent store (the one the test reads). */
    static final class Supplier implements KeyValueBytesStoreSupplier {
        private final KeyValueBytesStoreSupplier real;
        CountingStore store;

        Supplier(KeyValueBytesStoreSupplier real) {
            this.real = real;
        }

        @Override public String name() { return real.name(); }
        @Override public String metricsScope() { return real.metricsScope(); }

        @Override
        public KeyValueStore<Bytes, byte[]> get() {
            store = new CountingStore(real.get());
            return store;
        }
    }

    /** The operations logged since the last call, then forgets them. */
    List<String> take() {
        List<String> taken = List.copyOf(ops);
        ops.clear();
        return taken;
    }

    private static String key(Bytes key) {
        return new String(key.get(), StandardCharsets.UTF_8);
    }

    @Override public byte[] get(Bytes key) { ops.add("get " + key(key)); return inner.get(key); }
    @Override public void put(Bytes key, byte[] value) { ops.add("put " + key(key)); inner.put(key, value); }
    @Override public byte[] putIfAbsent(Bytes key, byte[] value) { ops.add("putIfAbsent " + key(key)); return inner.putIfAbsent(key, value); }
    @Override public void putAll(List<KeyValue<Bytes, byte[]>> entries) { entries.forEach(e -> ops.add("put " + key(e.key))); inner.putAll(entries); }
    @Override public byte[] delete(Bytes key) { ops.add("delete " + key(key)); return inner.delete(key); }
    @Override public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) { ops.add("range " + (from == null ? "" : key(from))); return inner.range(from, to); }
    @Override public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) { ops.add("reverseRange " + (from == null ? "" : key(from))); return inner.reverseRange(from, to); }
    @Override public KeyValueIterator<Bytes, byte[]> all() { ops.add("all"); return inner.all(); }
    @Override public KeyValueIterator<Bytes, byte[]> reverseAll() { ops.add("reverseAll"); return inner.reverseAll(); }
    @Override public long approximateNumEntries() { return inner.approximateNumEntries(); }
    @Override public String name() { return inner.name(); }
    @Override public void init(StateStoreContext context, StateStore root) { inner.init(context, root); }
    @Override public void flush() { inner.flush(); }
    @Override public void commit(java.util.Map<org.apache.kafka.common.TopicPartition, Long> offsets) { inner.commit(offsets); }
    @Override public Long committedOffset(org.apache.kafka.common.TopicPartition partition) { return inner.committedOffset(partition); }
    @Override public boolean managesOffsets() { return inner.managesOffsets(); }
    @Override public void close() { inner.close(); }
    @Override public boolean persistent() { return inner.persistent(); }
    @Override public boolean isOpen() { return inner.isOpen(); }
    @Override public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) { return inner.query(query, bound, config); }
    @Override public Position getPosition() { return inner.getPosition(); }
}
