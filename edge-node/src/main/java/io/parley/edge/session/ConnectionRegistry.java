/*
 * ConnectionRegistry owns the node's table of live connections by id: how a Delivery.Reply finds
 * its socket, how /health and the heartbeat count connections, how shutdown reaches every socket.
 */
package io.parley.edge.session;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Thread-safe map connection id -> connection, shared by every protocol endpoint. */
public final class ConnectionRegistry {
    private final ConcurrentHashMap<String, ClientConnection> connections = new ConcurrentHashMap<>();

    public void add(ClientConnection connection) {
        connections.put(connection.connectionId(), connection);
    }

    /** Removes the connection; true if it was present (so cleanup runs once). */
    public boolean remove(ClientConnection connection) {
        return connections.remove(connection.connectionId(), connection);
    }

    public ClientConnection get(String connectionId) {
        return connectionId == null ? null : connections.get(connectionId);
    }

    public int size() {
        return connections.size();
    }

    /** A snapshot, safe to iterate while connections come and go. */
    public Collection<ClientConnection> snapshot() {
        return List.copyOf(connections.values());
    }
}
