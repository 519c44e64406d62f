/*
 * ConnectionRegistry owns the node's table of live connections by id: how a Delivery.Reply finds
 * its socket, how /health and the heartbeat count connections, how shutdown reaches every socket;
 * and the connection limits of the node (PARLEY_EDGE_MAX_CONNECTIONS) and per user on this node
 * (PARLEY_MAX_CONNECTIONS_PER_USER), checked and counted atomically by {@link #tryAdd}.
 */
package io.parley.edge.session;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread-safe map connection id -> connection, shared by every protocol endpoint. */
public final class ConnectionRegistry {
    /** What {@link #tryAdd} decided. */
    public enum Admission { ADMITTED, NODE_FULL, USER_FULL }

    private final ConcurrentHashMap<String, ClientConnection> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final int maxConnections;
    private final int maxPerUser;

    /** No limits. */
    public ConnectionRegistry() {
        this(0, 0);
    }

    /** @param maxConnections connections of this node (0: none); @param maxPerUser connections of one user on this node (0: none) */
    public ConnectionRegistry(int maxConnections, int maxPerUser) {
        this.maxConnections = Math.max(0, maxConnections);
        this.maxPerUser = Math.max(0, maxPerUser);
    }

    /** Adds the connection whatever the limits (counted all the same). */
    public void add(ClientConnection connection) {
        admitted.incrementAndGet();
        perUser.merge(String.valueOf(connection.userId()), 1, Integer::sum);
        ClientConnection previous = connections.put(connection.connectionId(), connection);
        if (previous != null) {
            uncount(previous);
        }
    }

    /**
     * Adds the connection unless the node or its user is at the limit; exact under concurrency
     * (the node count is reserved before the user's, and given back when the user is full).
     */
    public Admission tryAdd(ClientConnection connection) {
        if (admitted.incrementAndGet() > maxConnections && maxConnections > 0) {
            admitted.decrementAndGet();
            return Admission.NODE_FULL;
        }
        boolean[] full = {false};
        perUser.compute(String.valueOf(connection.userId()), (user, count) -> {
            int current = count == null ? 0 : count;
            if (maxPerUser > 0 && current >= maxPerUser) {
                full[0] = true;
                return count;
            }
            return current + 1;
        });
        if (full[0]) {
            admitted.decrementAndGet();
            return Admission.USER_FULL;
        }
        ClientConnection previous = connections.put(connection.connectionId(), connection);
        if (previous != null) {
            uncount(previous);
        }
        return Admission.ADMITTED;
    }

    /**
     * Would a new connection of {@code userId} be refused now (a cheap pre-check, e.g. at the
     * upgrade; {@link #tryAdd} decides)? Null when it would be admitted.
     */
    public Admission precheck(String userId) {
        if (maxConnections > 0 && admitted.get() >= maxConnections) {
            return Admission.NODE_FULL;
        }
        if (maxPerUser > 0 && userId != null && perUser.getOrDefault(userId, 0) >= maxPerUser) {
            return Admission.USER_FULL;
        }
        return null;
    }

    /** The refusal sent for a full node or user ({@code CONNECTION_LIMIT}, with a retry hint). */
    public io.parley.contracts.wire.ErrorBody refusal(Admission admission) {
        String message = admission == Admission.NODE_FULL
                ? "this node has its maximum of " + maxConnections + " connections (PARLEY_EDGE_MAX_CONNECTIONS); retry or connect to another node"
                : "at most " + maxPerUser + " connections per user (PARLEY_MAX_CONNECTIONS_PER_USER)";
        return new io.parley.contracts.wire.ErrorBody(io.parley.contracts.ErrorCode.CONNECTION_LIMIT, message, RETRY_AFTER_MS);
    }

    /** The retry hint of a refused connection. */
    public static final long RETRY_AFTER_MS = 5_000;

    /** How many connections {@code userId} has on this node. */
    public int countOf(String userId) {
        return userId == null ? 0 : perUser.getOrDefault(userId, 0);
    }

    /** Removes the connection; true if it was present (so cleanup runs once). */
    public boolean remove(ClientConnection connection) {
        boolean removed = connections.remove(connection.connectionId(), connection);
        if (removed) {
            uncount(connection);
        }
        return removed;
    }

    private void uncount(ClientConnection connection) {
        admitted.decrementAndGet();
        perUser.computeIfPresent(String.valueOf(connection.userId()), (user, count) -> count <= 1 ? null : count - 1);
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
