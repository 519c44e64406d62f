/*
 * MessageRooms owns the edge's memory of which room a recently delivered message belongs to, so a
 * seed 004 client's mark-read with a bare array of message ids (no room named) reaches the right
 * room processor. Bounded (least recently delivered dropped first); the processors still decide
 * which ids are real (they resolve id -> seq and refuse unknown ids).
 */
package io.parley.edge.delivery;

import java.util.LinkedHashMap;
import java.util.Map;

/** Thread-safe: the deliveries thread writes, socket readers read. */
public final class MessageRooms {
    /** Default bound: ~100 bytes an entry, so about 6 MB per edge node at most. */
    public static final int DEFAULT_MAX_ENTRIES = 65_536;

    private final Map<String, String> rooms;

    public MessageRooms(int maxEntries) {
        this.rooms = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** A new-message of {@code roomId} with id {@code messageId} was delivered on this node. */
    public synchronized void put(String messageId, String roomId) {
        rooms.put(messageId, roomId);
    }

    /** The room of a message delivered here recently, or null. */
    public synchronized String roomOf(String messageId) {
        return rooms.get(messageId);
    }

    synchronized int size() {
        return rooms.size();
    }
}
