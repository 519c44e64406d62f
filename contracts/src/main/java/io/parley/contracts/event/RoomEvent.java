/*
 * RoomEvent owns the shape of the public room-events records: the envelope and the body variants
 * (message sent, member joined / left, read position moved, room created, member added, role set,
 * room updated / deleted, member muted / unmuted).
 */
package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonInclude;
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
            @JsonSubTypes.Type(value = ReadPosition.class, name = "read-position"),
            @JsonSubTypes.Type(value = RoomCreated.class, name = "room-created"),
            @JsonSubTypes.Type(value = MemberAdded.class, name = "member-added"),
            @JsonSubTypes.Type(value = RoleSet.class, name = "role-set"),
            @JsonSubTypes.Type(value = MemberRemoved.class, name = "member-removed"),
            @JsonSubTypes.Type(value = RoomUpdated.class, name = "room-updated"),
            @JsonSubTypes.Type(value = RoomDeleted.class, name = "room-deleted"),
            @JsonSubTypes.Type(value = MemberMuted.class, name = "member-muted"),
            @JsonSubTypes.Type(value = MemberUnmuted.class, name = "member-unmuted")})
    public sealed interface Body permits MessageSent, MemberJoined, MemberLeft, ReadPosition, RoomCreated, MemberAdded, RoleSet,
            MemberRemoved, RoomUpdated, RoomDeleted, MemberMuted, MemberUnmuted {}

    /** The room's settings changed (by the event's user, an admin or the owner); an absent field did not change. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoomUpdated(String name, String description, Integer maxUsers) implements Body {}

    /**
     * The room was deleted: by its owner (the event's user; {@code reason} "owner") or after
     * {@code expireAfterIdleMs} without a message ({@code reason} "idle", the event's user is the
     * owner). The room's last event: nothing of it is accepted afterwards.
     */
    public record RoomDeleted(String reason) implements Body {}

    /** Member {@code memberId} was muted (cannot send) by the event's user, an admin or the owner. */
    public record MemberMuted(String memberId) implements Body {}

    /** Member {@code memberId} was unmuted by the event's user. */
    public record MemberUnmuted(String memberId) implements Body {}

    /** {@code memberId}'s membership was ended by the event's user (an admin or the owner): remove-member. */
    public record MemberRemoved(String memberId) implements Body {}

    /** Member {@code memberId} now has {@code role} (admin or member), set by the event's user, the owner. */
    public record RoleSet(String memberId, String role) implements Body {}

    /**
     * The room was created by the event's user, its owner and first member: {@code roomType}
     * public, private or direct; {@code maxUsers} absent: no limit; {@code expireAfterIdleMs}
     * absent: never deleted for idleness. A room without this event (one
     * made by a join before rooms were created explicitly) is public, owned by its first joiner.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoomCreated(String name, String description, String roomType, Integer maxUsers,
                              Long expireAfterIdleMs) implements Body {
        /** A room without idle expiry. */
        public RoomCreated(String name, String description, String roomType, Integer maxUsers) {
            this(name, description, roomType, maxUsers, null);
        }
    }

    /** {@code memberId} was made a member with {@code role} (member, admin, owner) by the event's user. */
    public record MemberAdded(String memberId, String role) implements Body {}

    /**
     * A message: {@code content} of {@code messageType}; the sender's display fields at send time
     * ({@code username}, {@code avatarUrl}: from the token, absent when it had none).
     * {@code text} is the deprecated v1 name of {@code content}: written with the same value for a
     * deprecation period (until a v2 topic), and the only field in records written before
     * {@code content} existed; readers take {@code content} and fall back to {@code text}
     * (this constructor does: either fills the other), {@code messageType} "text" when absent.
     */
    public record MessageSent(String messageId, String clientMsgId, String content, String messageType,
                              String replyTo,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String username,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String avatarUrl,
                              @Deprecated String text) implements Body {
        public MessageSent {
            if (content == null) {
                content = text;
            }
            text = content;
            if (messageType == null) {
                messageType = "text";
            }
        }

        public MessageSent(String messageId, String clientMsgId, String content, String messageType, String replyTo,
                           String username, String avatarUrl) {
            this(messageId, clientMsgId, content, messageType, replyTo, username, avatarUrl, null);
        }

        /** A text message without display fields. */
        public MessageSent(String messageId, String clientMsgId, String content, String replyTo) {
            this(messageId, clientMsgId, content, "text", replyTo, null, null, null);
        }
    }

    /** The user's first connection joined the room. */
    public record MemberJoined() implements Body {}

    /**
     * {@code reason} client: the user left the room (leave-room), their membership ended;
     * disconnect: their last connection in the room closed, the membership stays.
     */
    public record MemberLeft(String reason) implements Body {}

    /**
     * The user's read position moved forward to {@code readSeq} (they have read every event up to
     * it). Always higher than the user's previous one; the event itself takes the room's next seq.
     */
    public record ReadPosition(long readSeq) implements Body {}
}
