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

    // Server -> client events.
    public static final String NEW_MESSAGE = "new-message";
    public static final String USER_JOINED = "user-joined";
    public static final String USER_LEFT = "user-left";
    public static final String ERROR = "error";

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
}
