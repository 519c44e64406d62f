/*
 * RoomCommand owns the shape of the records on room-commands: the envelope (who, from where, which
 * request) and the body variants (join, leave, send, typing start / stop).
 */
package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A command that acts on a room, published by an edge node to {@code room-commands} (key: room id).
 * The envelope says who (from the verified token), from where (edge node, its deliveries slot,
 * connection) and which request ({@code ref}) it answers; the body says what.
 *
 * @param eventId      assigned once at the edge ({@link io.parley.contracts.EventIds}); a message's id
 * @param edgeSlot     the partition of {@code deliveries} the edge node reads
 * @param ref          the client's request reference, echoed in the reply; may be null
 * @param timestamp    epoch milliseconds at the edge
 */
public record RoomCommand(String eventId, String roomId, String userId, String edgeNodeId, int edgeSlot,
                          String connectionId, String ref, long timestamp, Body body) {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Join.class, name = "join-room"),
            @JsonSubTypes.Type(value = Leave.class, name = "leave-room"),
            @JsonSubTypes.Type(value = Send.class, name = "send-message"),
            @JsonSubTypes.Type(value = TypingStart.class, name = "typing-start"),
            @JsonSubTypes.Type(value = TypingStop.class, name = "typing-stop"),
            @JsonSubTypes.Type(value = MarkRead.class, name = "mark-read")})
    public sealed interface Body permits Join, Leave, Send, TypingStart, TypingStop, MarkRead {}

    /** Subscribe this connection to the room (the user becomes a member with its first connection). */
    public record Join() implements Body {}

    /**
     * Unsubscribe this connection. {@code reason}: {@code "client"} (leave-room) or
     * {@code "disconnect"} (the socket closed).
     */
    public record Leave(String reason) implements Body {}

    /** Send a text message; {@code clientMsgId} makes resends idempotent; {@code replyTo} is a message id or null. */
    public record Send(String clientMsgId, String text, String replyTo) implements Body {}

    /**
     * The user is typing in the room (members only). Ephemeral: never a room event, takes no seq;
     * a start while already typing only refreshes the expiry (nothing is broadcast).
     */
    public record TypingStart() implements Body {}

    /** The user has read the room up to {@code seq} (members only; the position only moves forward). */
    public record MarkRead(long seq) implements Body {}

    /** The user stopped typing (also implied by a message, a leave, or no refresh within the timeout). */
    public record TypingStop() implements Body {}
}
