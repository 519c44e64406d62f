/*
 * Command owns the one typed command model of the edge, shared by every protocol (native /ws now,
 * Socket.IO later): what a client asked for, already validated, with no wire details left.
 */
package io.parley.edge.command;

/** A validated client request. */
public sealed interface Command {

    /**
     * Subscribe this connection to a room; with {@code lastSeq} (a resume, >= 0) the connection also
     * gets every message of the room after it, then {@code room-recovered}, then live events
     * (io.parley.edge.recovery). Null: a plain join.
     */
    record JoinRoom(String roomId, Long lastSeq) implements Command {
        public JoinRoom(String roomId) {
            this(roomId, null);
        }
    }

    /** {@code resume {rooms: {roomId: lastSeq}}}: a JoinRoom with lastSeq per room, answered by one ack. */
    record Resume(java.util.Map<String, Long> rooms) implements Command {
        public Resume {
            rooms = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rooms));
        }
    }

    /** Unsubscribe this connection from a room. */
    record LeaveRoom(String roomId) implements Command {}

    /** Send a message ({@code messageType} text, image, ...); {@code clientMsgId} and {@code replyTo} may be null. */
    record SendMessage(String roomId, String content, String messageType, String clientMsgId, String replyTo) implements Command {}

    /** Choose a status (online, away, busy, dnd) and/or a custom text; null keeps, "" clears the text. */
    record UpdatePresence(String status, String customStatus) implements Command {}

    /** Who of the room is online: answered by the edge from the Redis presence view, never published. */
    record GetOnlineUsers(String roomId) implements Command {}

    /** The user is typing in a room (a refresh while typing is not re-broadcast). */
    record StartTyping(String roomId) implements Command {}

    /**
     * The user has read the room up to {@code seq}, or up to the highest of {@code messageIds}
     * (forward only, decided by the processors). With message ids the room may be null (seed 004
     * sends a bare array): the edge finds it from the messages it delivered.
     */
    record MarkRead(String roomId, Long seq, java.util.List<String> messageIds) implements Command {
        public MarkRead(String roomId, long seq) {
            this(roomId, seq, null);
        }
    }

    /**
     * Create a room owned by the user: {@code type} public, private or direct; {@code maxUsers}
     * null for none; {@code members} made members at once (may be empty).
     */
    record CreateRoom(String roomId, String name, String description, String type, Integer maxUsers,
                      java.util.List<String> members) implements Command {}

    /** Make {@code userId} a member of the room (admins and the owner; decided by the processors). */
    record AddMember(String roomId, String userId) implements Command {}

    /** Give a member the role admin or member (the owner only; decided by the processors). */
    record SetRole(String roomId, String userId, String role) implements Command {}

    /** The user stopped typing in a room. */
    record StopTyping(String roomId) implements Command {}

    /**
     * {@code auth} / {@code refresh}: authenticate a connection opened without a token, or renew the
     * token of an authenticated one. Handled by the endpoint with the TokenLifecycle (it changes
     * the connection itself), never published.
     */
    record Authenticate(String token) implements Command {}

    /** The protocol heartbeat: answered ok by the edge itself, never published. */
    record Ping() implements Command {}
}
