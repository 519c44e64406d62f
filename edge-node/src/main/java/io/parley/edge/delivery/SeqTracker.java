/*
 * SeqTracker owns the de-duplication of room events at the edge: the last seq this node delivered
 * per room, so a Delivery.ToRoom seen again after a processor reprocessing (same seq) is dropped
 * (DESIGN.md section 2: consumers are idempotent by (room, seq)).
 */
package io.parley.edge.delivery;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Not thread-safe: used only by the deliveries thread. Bounded: beyond {@code maxRooms} the least
 * recently delivered room is forgotten (a forgotten room accepts its next seq as new). A delivery
 * of a known room costs one lookup (which also refreshes its recency) and no allocation: the seq
 * is kept in a mutable slot, not a boxed Long replaced each time.
 */
public final class SeqTracker {
    /** The last seq of one room. */
    private static final class Slot {
        long seq;

        Slot(long seq) {
            this.seq = seq;
        }
    }

    private final LinkedHashMap<String, Slot> lastSeq;

    public SeqTracker(int maxRooms) {
        this.lastSeq = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
                return size() > maxRooms;
            }
        };
    }

    /** True if {@code seq} is newer than anything delivered for {@code roomId}, and records it. */
    public boolean advance(String roomId, long seq) {
        Slot last = lastSeq.get(roomId);
        if (last == null) {
            lastSeq.put(roomId, new Slot(seq));
            return true;
        }
        if (seq <= last.seq) {
            return false;
        }
        last.seq = seq;
        return true;
    }

    public int size() {
        return lastSeq.size();
    }
}
