/*
 * TypingStage owns typing indicators in the room stage: typing-start / typing-stop of a member
 * (ephemeral y| entries, no decision, no seq, never a room event), their broadcast to the room's
 * nodes without the typist, the wall-clock expiry of typists who stop refreshing, and ending a
 * user's typing when they send or leave (called by RoomProcessor after those decisions).
 */
package io.parley.processors.room;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.room.RoomEntry.Typing;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

import java.util.ArrayList;
import java.util.List;

/** Typing state of the rooms of one room-stage task. */
final class TypingStage {
    private final RoomState state;
    private final long typingTimeoutMs;

    TypingStage(RoomState state, long typingTimeoutMs) {
        this.state = state;
        this.typingTimeoutMs = typingTimeoutMs;
    }

    /**
     * typing-start / typing-stop of a member. Ephemeral state ({@code y|} keys, no decision, no seq,
     * no room event): a start puts (or refreshes) the user's expiry and broadcasts
     * {@code user-typing} only when the user was not typing already; a stop broadcasts
     * {@code user-stopped-typing} only when they were. Broadcasts are unsequenced (seq 0) and
     * exclude the typist's own sockets. A replay may repeat a start or stop: harmless. The ok reply
     * goes only to a request with a ref (clients refresh often); errors always.
     */
    void typing(Record<String, Object> record, RoomCommand command) {
        if (state.connections(RoomKeys.connections(command.roomId(), command.userId())).isEmpty()) {
            for (Object out : Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "join the room first").outputs(command)) {
                state.context.forward(record.withKey(command.edgeNodeId()).withValue(out));
            }
            return;
        }
        if (command.body() instanceof RoomCommand.TypingStart) {
            long now = state.context.currentSystemTimeMs();
            String key = RoomKeys.typing(command.roomId(), command.userId());
            boolean already = state.store.get(key) instanceof Typing typing && typing.expiresAt() > now;
            state.store.put(key, new Typing(command.roomId(), command.userId(), command.connectionId(), now + typingTimeoutMs));
            if (!already) {
                broadcast(record, command.roomId(), command.userId(), Decision.user(command).username(), Protocol.USER_TYPING);
            }
        } else {
            stop(record, command.roomId(), command.userId(), null);
        }
        if (command.ref() != null) {
            state.deliver(record, new Delivery(command.edgeNodeId(), command.edgeSlot(),
                    new Delivery.Reply(command.connectionId(), command.ref(), true, null, null)));
        }
    }

    /** Ends the user's typing in the room, if any (only if started by {@code connectionId}, when given). */
    void stop(Record<String, Object> record, String roomId, String userId, String connectionId) {
        String key = RoomKeys.typing(roomId, userId);
        if (state.store.get(key) instanceof Typing typing
                && (connectionId == null || connectionId.equals(typing.connectionId()))) {
            state.store.delete(key);
            broadcast(record, roomId, userId, null, Protocol.USER_STOPPED_TYPING);
        }
    }

    private void broadcast(Record<String, Object> record, String roomId, String userId, String username, String event) {
        JsonNode data = Json.tree(new Protocol.Typing(roomId, userId, username));
        state.nodes(roomId).forEach((nodeId, node) -> state.deliver(record,
                new Delivery(nodeId, node.slot(), new Delivery.ToRoom(roomId, 0, event, data, userId))));
    }

    /** Stops every typist whose expiry passed: one range scan over the (few) typing entries of this task. */
    void expire(long now) {
        List<Typing> expired = new ArrayList<>();
        try (KeyValueIterator<String, RoomEntry> it = state.store.range(RoomKeys.TYPING_PREFIX, RoomKeys.TYPING_PREFIX + "\uffff")) {
            it.forEachRemaining(entry -> {
                if (entry.value instanceof Typing typing && typing.expiresAt() <= now) {
                    expired.add(typing);
                }
            });
        }
        for (Typing typing : expired) {
            state.store.delete(RoomKeys.typing(typing.roomId(), typing.userId()));
            broadcast(new Record<>(typing.roomId(), null, now), typing.roomId(), typing.userId(), null,
                    Protocol.USER_STOPPED_TYPING);
        }
    }
}
