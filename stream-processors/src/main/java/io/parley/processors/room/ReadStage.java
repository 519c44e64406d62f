/*
 * ReadStage owns read positions in the room stage: plans a member's mark-read (by seq or by
 * message ids resolved through their sends' decisions, or i| index entries of before), moving the r| position forward only; a move
 * is a room event (ReadPosition) so history rebuilds read positions.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.RoomCommand;
import io.parley.processors.Stores;
import io.parley.processors.room.RoomEntry.Head;
import io.parley.processors.room.RoomEntry.Write;

import java.util.ArrayList;
import java.util.List;

/** Plans mark-read decisions. */
final class ReadStage {
    private final RoomState state;

    ReadStage(RoomState state) {
        this.state = state;
    }

    /**
     * Moves the user's read position forward: a seq at or below the current one is acknowledged
     * with the current position and changes nothing; a seq past the room's last event is refused.
     * Message ids resolve to their seqs through their sends' decisions (found by id, kept
     * {@link Stores#DECISION_RETENTION}; {@code i|} index entries of before too): the position moves to the highest; ids the room does not know are left
     * out, and none known is INVALID_MESSAGE. A move is a room event (ReadPosition, the room's next
     * seq), so history rebuilds read positions.
     */
    RoomProcessor.Plan markRead(RoomCommand command, RoomCommand.MarkRead read) {
        String roomId = command.roomId();
        if (state.connections(RoomKeys.connections(roomId, command.userId())).isEmpty()) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "join the room first"));
        }
        Head head = state.head(roomId);
        List<String> known = null;
        long target;
        if (read.messageIds() != null) {
            known = new ArrayList<>(read.messageIds().size());
            target = 0;
            for (String id : read.messageIds()) {
                long seq = messageSeq(roomId, id);
                if (seq > 0 && !known.contains(id)) {
                    known.add(id);
                    target = Math.max(target, seq);
                }
            }
            if (known.isEmpty()) {
                return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE, "unknown message id"
                        + (read.messageIds().size() > 1 ? "s" : "") + " in room " + roomId
                        + " (ids are resolved for " + Stores.DECISION_RETENTION.toHours() + " h; mark older ones with {roomId, seq})"));
            }
        } else {
            target = read.seq();
        }
        if (target > head.seq()) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE,
                    "seq " + target + " is past the room's last event " + head.seq()));
        }
        String key = RoomKeys.readPosition(roomId, command.userId());
        long current = state.store.get(key) instanceof RoomEntry.ReadPos position ? position.seq() : 0;
        if (target <= current) {
            return RoomProcessor.Plan.noWrites(known == null ? Decision.of(Decision.Kind.READ_ACK, current, List.of())
                    : Decision.read(Decision.Kind.READ_ACK, current, List.of(), current, known));
        }
        Head next = head.next(1);
        List<Decision.Target> targets = RoomState.targets(state.nodes(roomId));
        return new RoomProcessor.Plan(known == null ? Decision.of(Decision.Kind.READ, next.seq(), targets)
                : Decision.read(Decision.Kind.READ, next.seq(), targets, target, known), next.ops(), List.of(
                new Write(key, new RoomEntry.ReadPos(target)),
                new Write(RoomKeys.head(roomId), next)), null);
    }

    /**
     * The seq of message {@code messageId} in {@code roomId}, from its decision (a SENT whose writes
     * set this room's head), or from an index entry written before; 0 if the room does not know it.
     */
    private long messageSeq(String roomId, String messageId) {
        String doneKey = RoomKeys.doneOfMessage(messageId);
        if (doneKey != null && state.store.get(doneKey) instanceof RoomEntry.Done done && done.decision().kind() == Decision.Kind.SENT) {
            String headKey = RoomKeys.head(roomId);
            for (Write write : done.writes()) {
                if (write.key().equals(headKey)) {
                    return done.decision().seq();
                }
            }
            return 0; // a message of another room
        }
        return state.store.get(RoomKeys.message(roomId, messageId)) instanceof RoomEntry.MsgSeq legacy ? legacy.seq() : 0;
    }
}
