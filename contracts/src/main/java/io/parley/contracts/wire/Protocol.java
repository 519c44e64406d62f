/*
 * Protocol owns the names and data shapes of the client wire protocol, shared by /ws and Socket.IO.
 */
package io.parley.contracts.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The names and data shapes of the wire protocol (DESIGN.md section 5), shared by every protocol
 * the edge speaks. Requests are {@code op}s; pushed events are {@code event}s.
 */
public final class Protocol {
    private Protocol() {}

    // Client -> server operations.
    public static final String JOIN_ROOM = "join-room";
    public static final String LEAVE_ROOM = "leave-room";
    public static final String SEND_MESSAGE = "send-message";
    public static final String UPDATE_PRESENCE = "update-presence";
    public static final String GET_ONLINE_USERS = "get-online-users";
    public static final String TYPING_START = "typing-start";
    public static final String TYPING_STOP = "typing-stop";
    public static final String MARK_READ = "mark-read";
    public static final String CREATE_ROOM = "create-room";
    public static final String ADD_MEMBER = "add-member";
    public static final String SET_ROLE = "set-role";
    public static final String REMOVE_MEMBER = "remove-member";
    /**
     * {@code resume {rooms: {roomId: lastSeq, ...}}}: a join-room with {@code lastSeq} for each room;
     * the ack data is {@code {rooms: [<join ack data>, ...]}} (a refused room: {@code {roomId, error}}).
     */
    public static final String RESUME = "resume";
    public static final String UPDATE_ROOM = "update-room";
    public static final String DELETE_ROOM = "delete-room";
    public static final String MUTE_MEMBER = "mute-member";
    public static final String UNMUTE_MEMBER = "unmute-member";
    public static final String OPEN_DIRECT = "open-direct";

    // Server -> client events.
    public static final String NEW_MESSAGE = "new-message";
    public static final String USER_JOINED = "user-joined";
    public static final String USER_LEFT = "user-left";
    public static final String MEMBER_REMOVED = "member-removed";
    public static final String ERROR = "error";
    public static final String PRESENCE_UPDATE = "presence-update";
    public static final String ONLINE_USERS = "online-users";
    public static final String USER_TYPING = "user-typing";
    public static final String USER_STOPPED_TYPING = "user-stopped-typing";
    public static final String MESSAGES_READ = "messages-read";
    public static final String MEMBER_ADDED = "member-added";
    public static final String ROLE_SET = "role-set";
    public static final String ROOM_UPDATED = "room-updated";
    public static final String ROOM_DELETED = "room-deleted";
    public static final String MEMBER_MUTED = "member-muted";
    public static final String MEMBER_UNMUTED = "member-unmuted";
    public static final String USER_ONLINE = "user-online";
    public static final String USER_OFFLINE = "user-offline";
    /**
     * After a resumed room's missed messages (each a {@code new-message} with {@code recovered: true}):
     * {@code {roomId, fromSeq, toSeq, truncated}}; the room's live events follow.
     */
    public static final String ROOM_RECOVERED = "room-recovered";

    /** The message type when a send names none (seed 004: {@code messageType || 'text'}). */
    public static final String TEXT = "text";

    // Presence statuses.
    public static final String ONLINE = "online";
    public static final String AWAY = "away";
    public static final String BUSY = "busy";
    public static final String DND = "dnd";
    public static final String OFFLINE = "offline";

    /**
     * Data of {@code room-recovered}: the seqs {@code fromSeq..toSeq} were recovered (the missed
     * messages among them were sent); {@code truncated}: some could not be (the history store did not
     * catch up in time or could not be read), the client pages the history API for them.
     */
    public record RoomRecovered(String roomId, long fromSeq, long toSeq, boolean truncated) {}

    /** Data of {@code join-room} and {@code leave-room}. */
    public record RoomRequest(String roomId) {}

    /**
     * Data of {@code send-message} (seed 004): {@code content}, {@code messageType} (default
     * {@code "text"}); Parley's {@code clientMsgId} (idempotent resend) and {@code replyTo}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SendMessageRequest(String roomId, String content, String messageType, String clientMsgId, String replyTo) {}

    /**
     * Reply data of {@code join-room} / {@code leave-room}: the room ({@code id} = {@code roomId},
     * seed 004 answers the room object) and its latest seq at that moment.
     */
    public record RoomAck(String id, String roomId, long seq) {
        public RoomAck(String roomId, long seq) {
            this(roomId, roomId, seq);
        }
    }

    /**
     * A user as seed 004 shows one: {@code {id, username, avatarUrl}}; the display fields come from
     * the verified token's standard claims (username = the user id, avatarUrl = null without them).
     * {@code avatarUrl} is always written (null when unknown), as the seed's server does.
     */
    public record User(String id, String username,
                       @JsonInclude(JsonInclude.Include.ALWAYS) String avatarUrl) {
        /** The user with display fields, falling back to the id for a missing username. */
        public static User of(String id, String username, String avatarUrl) {
            return new User(id, username == null || username.isBlank() ? id : username, avatarUrl);
        }
    }

    /**
     * The message object (seed 004's {@code messageWithUser}): data of {@code new-message}, of the
     * {@code send-message} ack and of each message in history. {@code createdAt} is ISO-8601 UTC
     * with milliseconds ({@link #isoTime}); Parley adds {@code seq}, {@code clientMsgId}, {@code replyTo}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(String id, String roomId, String userId, String content, String messageType,
                          String createdAt, User user, long seq, String clientMsgId, String replyTo) {}

    /** Data of {@code user-joined} and {@code user-left}: {@code {roomId, user}} (seed 004), plus Parley's {@code userId}, {@code seq}. */
    public record MembershipChange(String roomId, User user, String userId, long seq) {}

    /** Data of {@code update-presence}: a null field keeps its value; an empty customStatus clears it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PresenceRequest(String status, String customStatus) {}

    /**
     * Data of {@code presence-update}, a diff: {@code userId}, the room it travels through, and only
     * the fields that changed ({@code customStatus} "" = cleared; {@code lastSeen} when going offline).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PresenceUpdate(String roomId, String userId, String status, String customStatus, Long lastSeen) {}

    /** Data of {@code user-online} (seed 004: {@code {userId, username}}) to a room's members; Parley adds {@code roomId}. */
    public record UserOnline(String userId, String username, String roomId) {}

    /** Data of {@code user-offline} (seed 004: {@code {userId}}); Parley adds {@code roomId}. */
    public record UserOffline(String userId, String roomId) {}

    /** One user in the reply to {@code get-online-users}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OnlineUser(String userId, String status, String customStatus, Long lastSeen) {}

    /**
     * Reply data of {@code get-online-users} {@code {roomId}}. (The {@code online-users} event a
     * socket gets right after connecting is seed 004's: a bare array of user ids.)
     */
    public record OnlineUsers(String roomId, java.util.List<OnlineUser> users) {}

    /** Reply data of {@code mark-read} {@code {roomId, seq}}: the user's read position in the room after it (never lower than before). */
    public record ReadAck(String roomId, long readSeq) {}

    /**
     * One element of the reply data of {@code mark-read} with message ids (seed 004 answers an array
     * of read receipts): the message, its room, the reader, and the reader's read position after it.
     */
    public record ReadReceipt(String messageId, String roomId, String userId, long readSeq) {}

    /**
     * Data of {@code messages-read} (seed 004: {@code {userId, messageIds}}): {@code userId} has read
     * the room up to {@code readSeq}; {@code messageIds} the ids they marked (empty for the seq form);
     * {@code seq}: this event's.
     */
    public record MessagesRead(String userId, java.util.List<String> messageIds, String roomId, long readSeq, long seq) {}

    /**
     * Data of {@code user-typing} ({@code {roomId, userId, username}}) and {@code user-stopped-typing}
     * ({@code {roomId, userId}}): unsequenced, never stored.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Typing(String roomId, String userId, String username) {
        public Typing(String roomId, String userId) {
            this(roomId, userId, null);
        }
    }

    private static final java.time.format.DateTimeFormatter ISO_MILLIS =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /** Epoch milliseconds as JavaScript's {@code Date.toISOString()} writes them: {@code 2024-11-22T03:40:00.000Z}. */
    public static String isoTime(long epochMillis) {
        return ISO_MILLIS.format(java.time.Instant.ofEpochMilli(epochMillis));
    }

    /** member-added (and add-member's ack): {@code userId} is now a member of the room with {@code role}, added by {@code addedBy}. */
    public record MemberAdded(String roomId, String userId, String role, String addedBy, long seq) {
        /** The role of every added member (add-member, create-room's members, open-direct's other user). */
        public static final String MEMBER = "member";
    }

    /** member-removed (and remove-member's ack): {@code userId} is no longer a member of the room, removed by {@code removedBy}. */
    public record MemberRemoved(String roomId, String userId, String removedBy, long seq) {}

    /** role-set (and set-role's ack): member {@code userId} of the room now has {@code role}, set by {@code setBy}. */
    public record RoleSet(String roomId, String userId, String role, String setBy, long seq) {}

    /** room-updated (and update-room's ack): the room's settings after the change, by {@code updatedBy}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoomUpdated(String roomId, String name, String description, Integer maxUsers, String updatedBy, long seq) {}

    /** room-deleted (and delete-room's ack): the room is gone; {@code reason} owner or idle. */
    public record RoomDeleted(String roomId, String deletedBy, String reason, long seq) {}

    /** member-muted / member-unmuted (and their acks): member {@code userId} of the room, by {@code by}. */
    public record MemberMute(String roomId, String userId, boolean muted, String by, long seq) {}
}
