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

    // Server -> client events.
    public static final String NEW_MESSAGE = "new-message";
    public static final String USER_JOINED = "user-joined";
    public static final String USER_LEFT = "user-left";
    public static final String ERROR = "error";
    public static final String PRESENCE_UPDATE = "presence-update";
    public static final String ONLINE_USERS = "online-users";
    public static final String USER_TYPING = "user-typing";
    public static final String USER_STOPPED_TYPING = "user-stopped-typing";
    public static final String MESSAGE_READ = "message-read";

    // Presence statuses.
    public static final String ONLINE = "online";
    public static final String AWAY = "away";
    public static final String BUSY = "busy";
    public static final String DND = "dnd";
    public static final String OFFLINE = "offline";

    /** Data of {@code join-room} and {@code leave-room}. */
    public record RoomRequest(String roomId) {}

    /** Data of {@code send-message}. */
    public record SendMessageRequest(String roomId, String text, String clientMsgId, String replyTo) {}

    /** Reply data of {@code join-room} / {@code leave-room}: the room's latest seq at that moment. */
    public record RoomAck(String roomId, long seq) {}

    /** Reply data of {@code send-message}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SendMessageAck(String roomId, String messageId, long seq, String clientMsgId) {}

    /** Data of {@code new-message}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NewMessage(String roomId, long seq, String messageId, String senderId, String text,
                             String clientMsgId, String replyTo, long sentAt) {}

    /** Data of {@code user-joined} and {@code user-left}. */
    public record MembershipChange(String roomId, long seq, String userId) {}

    /** Data of {@code update-presence}: a null field keeps its value; an empty customStatus clears it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PresenceRequest(String status, String customStatus) {}

    /**
     * Data of {@code presence-update}, a diff: {@code userId}, the room it travels through, and only
     * the fields that changed ({@code customStatus} "" = cleared; {@code lastSeen} when going offline).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PresenceUpdate(String roomId, String userId, String status, String customStatus, Long lastSeen) {}

    /** One user in {@code online-users} / the reply to {@code get-online-users}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OnlineUser(String userId, String status, String customStatus, Long lastSeen) {}

    /** Reply data of {@code get-online-users}, and the {@code online-users} event after a join. */
    public record OnlineUsers(String roomId, java.util.List<OnlineUser> users) {}

    /** Reply data of {@code mark-read}: the user's read position in the room after it (never lower than before). */
    public record ReadAck(String roomId, long readSeq) {}

    /** Data of {@code message-read}: {@code userId} has read the room up to {@code readSeq}; {@code seq}: this event's. */
    public record MessageRead(String roomId, long seq, String userId, long readSeq) {}

    /** Data of {@code user-typing} and {@code user-stopped-typing} (unsequenced, never stored). */
    public record Typing(String roomId, String userId) {}
}
