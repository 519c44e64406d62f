/*
 * RoomEvent owns the shape of the public room-events records: the envelope and the body variants
 * (message sent, member joined / left, read position moved).
 */
package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An accepted event of a room, on the public, kept-forever {@code room-events} topic (key: room
 * id): the event-sourced log that history, read views and analytics are rebuilt from. Every event
 * of a room has the next {@code seq} (1, 2, 3 ...), with no gap.
 *
 * @param eventId   the id of the command that caused it (a message's {@code messageId})
 * @param userId    the user who acted
 * @param timestamp epoch milliseconds at which the edge accepted the command
 */
public record RoomEvent(String eventId, String roomId, long seq, String userId, long timestamp, Body body) {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = MessageSent.class, name = "message-sent"),
            @JsonSubTypes.Type(value = MemberJoined.class, name = "member-joined"),
            @JsonSubTypes.Type(value = MemberLeft.class, name = "member-left"),
            @JsonSubTypes.Type(value = ReadPosition.class, name = "read-position")})
    public sealed interface Body permits MessageSent, MemberJoined, MemberLeft, ReadPosition {}

    public record MessageSent(String messageId, String clientMsgId, String text, String replyTo) implements Body {}

    /** The user's first connection joined the room. */
    public record MemberJoined() implements Body {}

    /** The user's last connection left the room; {@code reason}: client or disconnect. */
    public record MemberLeft(String reason) implements Body {}

    /**
     * The user's read position moved forward to {@code readSeq} (they have read every event up to
     * it). Always higher than the user's previous one; the event itself takes the room's next seq.
     */
    public record ReadPosition(long readSeq) implements Body {}
}
