/*
 * MessageStage owns messages in the room stage: plans a member's send-message (the room's next
 * seq; its decision, filed under the message id's time, is the index mark-read by ids reads; the
 * clientMsgId's original ack m| so a resend
 * is answered with it and emits nothing else); a muted member is refused, and a message moves its
 * room's idle timer (RoomLifecycle), both looked up only in rooms whose head flags say so (a send
 * costs six store reads, StoreCostTest). RoomProcessor stores and applies the plan.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.RoomCommand;
import io.parley.processors.room.RoomEntry.ClientMsg;
import io.parley.processors.room.RoomEntry.Head;
import io.parley.processors.room.RoomEntry.Write;

import java.util.ArrayList;
import java.util.List;

/** Plans send-message decisions. */
final class MessageStage {
    private final RoomState state;
    private final RoomLifecycle lifecycle;

    MessageStage(RoomState state, RoomLifecycle lifecycle) {
        this.state = state;
        this.lifecycle = lifecycle;
    }

    RoomProcessor.Plan send(RoomCommand command, RoomCommand.Send send, Head head) {
        String roomId = command.roomId();
        String clientMsgKey = send.clientMsgId() == null ? null
                : RoomKeys.clientMsg(roomId, command.userId(), send.clientMsgId());
        if (clientMsgKey != null && state.store.get(clientMsgKey) instanceof ClientMsg original) {
            return RoomProcessor.Plan.noWrites(Decision.resent(original.messageId(), original.seq(), original.createdAt()));
        }
        if (state.connections(RoomKeys.connections(roomId, command.userId())).isEmpty()) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "join the room first"));
        }
        if (lifecycle.isMuted(roomId, command.userId(), head)) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "you are muted in this room"));
        }
        Head next = head.next(1);
        // No message index entry: the decision (found by message id, RoomKeys.doneOfMessage) is the index.
        List<Write> writes = new ArrayList<>(lifecycle.touch(command, head)); // a room with idle expiry: its timer moves
        if (clientMsgKey != null) {
            writes.add(new Write(clientMsgKey, new ClientMsg(command.eventId(), next.seq(), command.timestamp())));
        }
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.SENT, next.seq(), RoomState.targets(state.nodes(roomId))),
                next.ops(), writes, clientMsgKey);
    }
}
