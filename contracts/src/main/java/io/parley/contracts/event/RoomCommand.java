/*
 * RoomCommand owns the shape of the records on room-commands: the envelope (who, from where, which
 * request) and the body variants (join, leave, send, typing start / stop, mark-read, create-room,
 * add-member, set-role, remove-member, update-room, delete-room, mute-member, unmute-member, open-direct).
 */
package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param username     the sender's display name from the verified token's standard claims
 *                     ({@code name} / {@code preferred_username}); absent: the user id is shown
 * @param avatarUrl    the sender's avatar ({@code picture} claim); absent: none
 */
public record RoomCommand(String eventId, String roomId, String userId, String edgeNodeId, int edgeSlot,
                          String connectionId, String ref, long timestamp, Body body,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String username,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String avatarUrl) {

    /** A command without display fields (the user id is shown as the name). */
    public RoomCommand(String eventId, String roomId, String userId, String edgeNodeId, int edgeSlot,
                       String connectionId, String ref, long timestamp, Body body) {
        this(eventId, roomId, userId, edgeNodeId, edgeSlot, connectionId, ref, timestamp, body, null, null);
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Join.class, name = "join-room"),
            @JsonSubTypes.Type(value = Leave.class, name = "leave-room"),
            @JsonSubTypes.Type(value = Send.class, name = "send-message"),
            @JsonSubTypes.Type(value = TypingStart.class, name = "typing-start"),
            @JsonSubTypes.Type(value = TypingStop.class, name = "typing-stop"),
            @JsonSubTypes.Type(value = MarkRead.class, name = "mark-read"),
            @JsonSubTypes.Type(value = CreateRoom.class, name = "create-room"),
            @JsonSubTypes.Type(value = AddMember.class, name = "add-member"),
            @JsonSubTypes.Type(value = SetRole.class, name = "set-role"),
            @JsonSubTypes.Type(value = RemoveMember.class, name = "remove-member"),
            @JsonSubTypes.Type(value = UpdateRoom.class, name = "update-room"),
            @JsonSubTypes.Type(value = DeleteRoom.class, name = "delete-room"),
            @JsonSubTypes.Type(value = MuteMember.class, name = "mute-member"),
            @JsonSubTypes.Type(value = UnmuteMember.class, name = "unmute-member"),
            @JsonSubTypes.Type(value = OpenDirect.class, name = "open-direct")})
    public sealed interface Body permits Join, Leave, Send, TypingStart, TypingStop, MarkRead, CreateRoom, AddMember, SetRole,
            RemoveMember, UpdateRoom, DeleteRoom, MuteMember, UnmuteMember, OpenDirect {}

    /**
     * End {@code memberId}'s membership (a kick): the owner removes anyone but themself, an admin
     * removes members. The member's devices stop getting the room's events at once.
     */
    public record RemoveMember(String memberId) implements Body {}

    /** Change the room's settings (admins and the owner); a null field stays as it is. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UpdateRoom(String name, String description, Integer maxUsers) implements Body {}

    /**
     * Delete the room (the owner). {@code reason}: absent (the owner's request) or {@code "idle"}:
     * synthesised by the room stage's idle-expiry punctuator, never by an edge node.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeleteRoom(String reason) implements Body {}

    /** Mute member {@code memberId}: their send-message is refused (admins and the owner). */
    public record MuteMember(String memberId) implements Body {}

    /** Unmute member {@code memberId} (admins and the owner). */
    public record UnmuteMember(String memberId) implements Body {}

    /**
     * Find or create the direct room of the sender and {@code memberId}; the envelope's room id is
     * {@link io.parley.contracts.DirectRooms#idOf} of the pair (checked by the room stage).
     */
    public record OpenDirect(String memberId) implements Body {}

    /** Give member {@code memberId} the {@code role} admin or member (the owner only). */
    public record SetRole(String memberId, String role) implements Body {}

    /**
     * Create the room (the envelope's room id, which must not exist yet) with the sender as its
     * owner: {@code roomType} public (anyone may join), private (members only: the creator and
     * those added) or direct; {@code members}: users made members at once (at most
     * {@code Limits.MAX_INITIAL_MEMBERS}); {@code maxUsers}: null for no limit;
     * {@code expireAfterIdleMs}: the room is deleted after that long without a message (null: never).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateRoom(String name, String description, String roomType, Integer maxUsers,
                             java.util.List<String> members, Long expireAfterIdleMs) implements Body {
        /** A room without idle expiry. */
        public CreateRoom(String name, String description, String roomType, Integer maxUsers, java.util.List<String> members) {
            this(name, description, roomType, maxUsers, members, null);
        }
    }

    /** Make {@code memberId} a member of the room (an invitation; admins and the owner only). */
    public record AddMember(String memberId) implements Body {}

    /**
     * Subscribe this connection to the room; a user who is not a member yet becomes one (membership
     * then lasts until leave-room or remove-member, whatever happens to connections).
     */
    public record Join() implements Body {}

    /**
     * {@code reason} {@code "client"} (leave-room): the user's membership ends, every connection of
     * theirs leaves the room; {@code "disconnect"} (the socket closed): this connection only, the
     * membership stays.
     */
    public record Leave(String reason) implements Body {}

    /**
     * Send a message: {@code content} of {@code messageType} (text, image, ...); {@code clientMsgId}
     * makes resends idempotent; {@code replyTo} is a message id or null. Commands written before
     * v1's {@code content} carried it as {@code text}: still read.
     */
    public record Send(String clientMsgId, @JsonAlias("text") String content,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String messageType, String replyTo) implements Body {
        /** A text message. */
        public Send(String clientMsgId, String content, String replyTo) {
            this(clientMsgId, content, "text", replyTo);
        }
    }

    /**
     * The user is typing in the room (members only). Ephemeral: never a room event, takes no seq;
     * a start while already typing only refreshes the expiry (nothing is broadcast).
     */
    public record TypingStart() implements Body {}

    /**
     * The user has read the room up to {@code seq}, or up to the highest of {@code messageIds}
     * (resolved to seqs by the room processor); exactly one of the two is given. Members only;
     * the position only moves forward.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MarkRead(Long seq, java.util.List<String> messageIds) implements Body {
        public MarkRead(long seq) {
            this(seq, null);
        }

        /** The seq form. */
        public static MarkRead upTo(long seq) {
            return new MarkRead(seq, null);
        }

        /** The message-id form. */
        public static MarkRead ids(java.util.List<String> messageIds) {
            return new MarkRead(null, java.util.List.copyOf(messageIds));
        }
    }

    /** The user stopped typing (also implied by a message, a leave, or no refresh within the timeout). */
    public record TypingStop() implements Body {}
}
