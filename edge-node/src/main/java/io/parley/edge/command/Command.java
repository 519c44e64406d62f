/*
 * Command owns the one typed command model of the edge, shared by every protocol (native /ws now,
 * Socket.IO later): what a client asked for, already validated, with no wire details left.
 */
package io.parley.edge.command;

/** A validated client request. */
public sealed interface Command {

    /** Subscribe this connection to a room. */
    record JoinRoom(String roomId) implements Command {}

    /** Unsubscribe this connection from a room. */
    record LeaveRoom(String roomId) implements Command {}

    /** Send a text message; {@code clientMsgId} and {@code replyTo} may be null. */
    record SendMessage(String roomId, String text, String clientMsgId, String replyTo) implements Command {}

    /** The protocol heartbeat: answered ok by the edge itself, never published. */
    record Ping() implements Command {}
}
