/*
 * NodeExpiryLeaves owns the room stage's memory of node expiries: which of an expired node's
 * connections (index keys x|<node>|...) one NodeExpired makes leave, decided once and remembered
 * before any leave is applied, so that a NodeExpired read again after a crash makes the same
 * synthetic leaves, even when the crash came after some of them had already emptied their index
 * entries. Same rule as commands: decision remembered, then the writes, then the outputs; seen
 * again, the same input gives the same events (each leave's own decision re-emits its original
 * outputs, same seq and ids).
 */
package io.parley.processors.room;

import io.parley.processors.lease.NodeExpired;
import io.parley.processors.room.RoomEntry.Expiry;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;

/** Stateless helper over the room-state store. */
final class NodeExpiryLeaves {
    private NodeExpiryLeaves() {}

    /**
     * The index keys of the connections {@code expired} drops in this store, in key order: the
     * remembered list if this expiry was seen before; else the index scan's result, remembered
     * (under {@link RoomKeys#done} of the expiry's time and id, so it expires with decisions)
     * before the caller applies any leave. An expiry that finds nothing remembers nothing.
     */
    static List<String> keys(KeyValueStore<String, RoomEntry> store, NodeExpired expired) {
        String memoryKey = RoomKeys.done(expired.at(), expired.eventId());
        if (store.get(memoryKey) instanceof Expiry remembered) {
            return remembered.nodeConnKeys();
        }
        String prefix = RoomKeys.nodePrefix(expired.edgeNodeId());
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, RoomEntry> it = store.range(prefix, prefix + "\uffff")) {
            it.forEachRemaining(entry -> {
                if (expired.covers(RoomKeys.ofNodeConn(entry.key, expired.edgeNodeId())[2])) {
                    keys.add(entry.key);
                }
            });
        }
        if (!keys.isEmpty()) {
            store.put(memoryKey, new Expiry(List.copyOf(keys)));
        }
        return keys;
    }
}
