/*
 * RoomIndex owns the node's local room -> sockets index: the set of this node's connections
 * subscribed to each room, which a Delivery.ToRoom fans out to in memory. A room's entry goes away
 * with its last local socket.
 */
package io.parley.edge.delivery;

import io.parley.edge.session.ClientConnection;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread-safe. Adds and removes are atomic per room (compute), iteration is weakly consistent:
 * a fan-out sees every socket added before it started.
 */
public final class RoomIndex {
    private final ConcurrentHashMap<String, Set<ClientConnection>> rooms = new ConcurrentHashMap<>();

    /** Subscribes {@code connection} to {@code roomId} (idempotent). */
    public void add(String roomId, ClientConnection connection) {
        rooms.compute(roomId, (room, members) -> {
            Set<ClientConnection> set = members != null ? members : ConcurrentHashMap.newKeySet();
            set.add(connection);
            return set;
        });
        connection.subscriptions().markIndexed(roomId);
    }

    /** Unsubscribes {@code connection} from {@code roomId} (idempotent). */
    public void remove(String roomId, ClientConnection connection) {
        rooms.computeIfPresent(roomId, (room, members) -> {
            members.remove(connection);
            return members.isEmpty() ? null : members;
        });
        connection.subscriptions().markUnindexed(roomId);
    }

    /** Removes {@code connection} from every room it is indexed in (disconnect, failed send). */
    public void removeEverywhere(ClientConnection connection) {
        for (String roomId : connection.subscriptions().indexedRooms()) {
            remove(roomId, connection);
        }
    }

    /** The local subscribers of {@code roomId} (a live view; empty if none). */
    public Set<ClientConnection> subscribers(String roomId) {
        Set<ClientConnection> members = rooms.get(roomId);
        return members == null ? Collections.emptySet() : members;
    }

    /** Number of rooms with at least one local socket. */
    public int roomCount() {
        return rooms.size();
    }
}
