/*
 * RoomCommandChecks owns the room processor's refusals that depend on a command alone (so they
 * need no memory and are decided again identically on a replay): a malformed envelope, an invalid
 * room id, a message without content, too long, of an unknown messageType or with a malformed
 * clientMsgId / replyTo, a mark-read without a positive seq or with malformed message ids, and a
 * malformed create-room / add-member / set-role (RoomAccess.problemOf), a remove-member without a member.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.Limits;
import io.parley.contracts.event.RoomCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Stateless apart from the configured maximum message length. */
final class RoomCommandChecks {
    private static final Logger log = LoggerFactory.getLogger(RoomCommandChecks.class);
    private static final int MAX_REPLY_TO_LENGTH = 128;

    private final int maxMessageLength;

    RoomCommandChecks(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
    }

    /** A refusal that depends on the command alone (so it needs no memory), or null. */
    Decision rejectionOf(RoomCommand command) {
        String missing = command.eventId() == null || command.eventId().isBlank() ? "eventId"
                : command.userId() == null || command.userId().isBlank() ? "userId"
                : command.connectionId() == null || command.connectionId().isBlank() ? "connectionId"
                : command.edgeNodeId() == null || command.edgeNodeId().isBlank() ? "edgeNodeId"
                : command.body() == null ? "body" : null;
        if (missing != null) {
            // The edge fills these in: this is a bug upstream, worth one line each.
            log.warn("room command without {} (event {}, room {}): refused", missing, command.eventId(), command.roomId());
            return Decision.rejected(ErrorCode.INVALID_MESSAGE, "malformed command: no " + missing);
        }
        if (!Limits.isValidRoomId(command.roomId())) {
            return Decision.rejected(ErrorCode.INVALID_ROOM, "invalid room id");
        }
        if (command.body() instanceof RoomCommand.MarkRead read) {
            String problem = problemOf(read);
            if (problem != null) {
                return Decision.rejected(ErrorCode.INVALID_MESSAGE, problem);
            }
        }
        if (command.body() instanceof RoomCommand.RemoveMember remove && (remove.memberId() == null || remove.memberId().isBlank())) {
            return Decision.rejected(ErrorCode.INVALID_MESSAGE, "memberId is required");
        }
        String accessProblem = RoomAccess.problemOf(command.body());
        if (accessProblem != null) {
            return Decision.rejected(ErrorCode.INVALID_MESSAGE, accessProblem);
        }
        if (command.body() instanceof RoomCommand.Send send) {
            String problem = problemOf(send);
            if (problem != null) {
                return Decision.rejected(ErrorCode.INVALID_MESSAGE, problem);
            }
        }
        return null;
    }

    private static String problemOf(RoomCommand.MarkRead read) {
        List<String> ids = read.messageIds();
        if (read.seq() != null && ids != null) {
            return "either seq or messageIds, not both";
        }
        if (ids == null) {
            return read.seq() == null || read.seq() < 1 ? "seq must be a positive integer" : null;
        }
        if (ids.isEmpty() || ids.size() > Limits.MAX_MARK_READ_IDS) {
            return "messageIds must hold 1-" + Limits.MAX_MARK_READ_IDS + " message ids";
        }
        for (String id : ids) {
            if (!Limits.isValidMessageId(id)) {
                return "messageIds must be message ids";
            }
        }
        return null;
    }

    private String problemOf(RoomCommand.Send send) {
        if (send.content() == null) {
            return "content is required";
        }
        if (send.content().isBlank()) {
            return "content must not be blank";
        }
        if (send.content().codePointCount(0, send.content().length()) > maxMessageLength) {
            return "content is longer than " + maxMessageLength + " characters";
        }
        if (send.messageType() != null && !Limits.MESSAGE_TYPES.contains(send.messageType())) {
            return "messageType must be one of " + String.join(", ", new java.util.TreeSet<>(Limits.MESSAGE_TYPES));
        }
        if (send.clientMsgId() != null && !Limits.isValidClientMsgId(send.clientMsgId())) {
            return "clientMsgId must be 1-64 printable ASCII characters without spaces";
        }
        if (send.replyTo() != null && (send.replyTo().isBlank() || send.replyTo().length() > MAX_REPLY_TO_LENGTH)) {
            return "replyTo must be a message id";
        }
        return null;
    }
}
