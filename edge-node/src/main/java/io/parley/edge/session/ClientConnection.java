/*
 * ClientConnection owns the protocol-neutral view of one connected client: who it is (from the
 * verified token), how to answer it and push events to it. The native /ws session implements it;
 * a Socket.IO session will too, so the command and delivery code serve both protocols.
 */
package io.parley.edge.session;

import io.parley.contracts.auth.Identity;
import io.parley.contracts.wire.ServerReply;

/**
 * One authenticated client connection. Every method is non-blocking and thread-safe: replies and
 * events are queued on the connection's bounded send queue and written by its own writer.
 */
public interface ClientConnection {

    /** Unique id of this connection ({@link io.parley.contracts.EventIds#next()}). */
    String connectionId();

    /** The user, from the verified token's {@code sub}; never from a client field. */
    String userId();

    /**
     * Who the verified token says the user is: {@code userId} ({@code sub}), display name
     * ({@code name}, else {@code preferred_username}; null if neither), avatar ({@code picture}),
     * and the token's expiry. A refresh replaces it (same user id). Build user objects
     * ({@code {id, username, avatarUrl}}) from it. Null only while a connection opened without a
     * token has not authenticated yet (such a connection is in no registry and reaches no command).
     */
    Identity identity();

    /**
     * The display name for user objects: the token's {@code name} / {@code preferred_username}, or
     * the user id when it has none. Never from a client field.
     */
    default String username() {
        Identity identity = identity();
        return identity == null || identity.name() == null || identity.name().isBlank() ? userId() : identity.name();
    }

    /** The avatar URL for user objects: the token's {@code picture} claim, or null. */
    default String avatarUrl() {
        Identity identity = identity();
        return identity == null ? null : identity.avatarUrl();
    }

    /** The rooms this connection asked for and the rooms it is indexed in. */
    Subscriptions subscriptions();

    /** Queue the answer to one request. Dropped if the connection is closed. */
    void reply(ServerReply reply);

    /** Queue a pushed event (encoded once per protocol, shared by every recipient). */
    void deliver(OutboundEvent event);

    /** False once the connection is closing or closed: nothing more is delivered to it. */
    boolean isOpen();

    /** {@code native} (/ws) or {@code socketio}: for metrics and inspection. */
    default String protocol() {
        return "unknown";
    }

    /** Epoch ms at which the connection was authenticated (inspection). */
    default long connectedAt() {
        return 0;
    }

    /**
     * The room processor accepted this connection into {@code roomId} at {@code seq} (it was not in
     * the room's index before). Socket.IO remembers it for connection-state recovery.
     */
    default void roomJoined(String roomId, long seq) { }

    /** The connection left {@code roomId}'s index (its leave was accepted). */
    default void roomLeft(String roomId) { }

    /** Frames waiting in its send queue (metrics, inspection); -1 when unknown. */
    default int queueDepth() {
        return -1;
    }
}
