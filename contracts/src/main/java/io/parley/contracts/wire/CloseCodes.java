/*
 * CloseCodes owns the WebSocket close codes Parley's edge sends that a client should act on.
 */
package io.parley.contracts.wire;

/** WebSocket close codes of the native {@code /ws} protocol (docs/architecture.md, Edge node liveness). */
public final class CloseCodes {
    private CloseCodes() {}

    /** Graceful shutdown of the node: reconnect (to any node). */
    public static final int GOING_AWAY = 1001;

    /** The socket fell too far behind (its send queue overflowed): reconnect and recover by seq. */
    public static final int TRY_AGAIN_LATER = 1013;

    /**
     * The server lost this connection's state (its edge node's lease was expired by the processors,
     * e.g. after a long pause): the socket is no longer joined anywhere. Reconnect at once, join
     * again and recover missed messages by seq. Socket.IO clients see a transport close instead
     * (the stock client reconnects by itself).
     */
    public static final int RECONNECT = 4503;

    /**
     * The connection was over a connection limit (PARLEY_EDGE_MAX_CONNECTIONS of its node, or
     * PARLEY_MAX_CONNECTIONS_PER_USER across the cluster): an error event with CONNECTION_LIMIT and
     * retryAfterMs came first. Do not reconnect at once; close another connection of the user, or
     * retry after retryAfterMs.
     */
    public static final int CONNECTION_LIMIT = 4429;
}
