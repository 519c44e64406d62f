/*
 * Subscriptions owns one connection's room state at the edge: the rooms it asked to join (so a
 * disconnect can leave them all) and the rooms it is indexed in for fan-out (so cleanup can remove
 * it from every index entry, even while a leave is still in flight).
 */
package io.parley.edge.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Thread-safe: the reader thread requests, the deliveries thread indexes, cleanup reads both. */
public final class Subscriptions {
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private final Set<String> indexed = ConcurrentHashMap.newKeySet();

    /** A join-room was published for {@code roomId}. */
    public void requested(String roomId) { requested.add(roomId); }

    /** A leave-room was published for {@code roomId}. */
    public void released(String roomId) { requested.remove(roomId); }

    public boolean isRequested(String roomId) { return requested.contains(roomId); }

    /** Rooms joined (or being joined) and not left: each gets a Leave(disconnect) on disconnect. */
    public Set<String> requestedRooms() { return Set.copyOf(requested); }

    /** Rooms whose local index holds this connection. */
    public Set<String> indexedRooms() { return Set.copyOf(indexed); }

    /** True once the room processor accepted this connection's join (and until it leaves): it may read the room's presence. */
    public boolean isIndexed(String roomId) { return indexed.contains(roomId); }

    /** For the room index only: the connection was added to {@code roomId}'s fan-out set. */
    public void markIndexed(String roomId) { indexed.add(roomId); }

    /** For the room index only: the connection was removed from {@code roomId}'s fan-out set. */
    public void markUnindexed(String roomId) { indexed.remove(roomId); }
}
