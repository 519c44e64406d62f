/*
 * ResumeBatch owns the one ack of a `resume {rooms: {roomId: lastSeq}}`: it collects the answer to
 * each room's join (published one by one), answers the client once all are in with
 * {rooms: [<join ack data or {roomId, error}>, ...]} in the order the client named them, and only
 * then starts the accepted rooms' recoveries, so the ack comes before any recovered message.
 */
package io.parley.edge.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.session.ClientConnection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** Answered from the deliveries thread (and the publisher's failure callbacks): synchronized. */
public final class ResumeBatch {
    private final String ref;
    private final Map<String, JsonNode> answers = new LinkedHashMap<>();
    private final List<RoomRecovery> accepted = new ArrayList<>();
    private int missing;
    private boolean replied;

    /** {@code roomIds}: the rooms in the client's order. */
    public ResumeBatch(String ref, List<String> roomIds) {
        this.ref = ref;
        for (String roomId : roomIds) {
            answers.put(roomId, null);
        }
        this.missing = roomIds.size();
    }

    /**
     * One room's answer: {@code ackData} (the join ack with recovering: true) or {@code error}.
     * When it is the last, the client is answered and {@code start} runs for each accepted room.
     */
    public void answered(ClientConnection connection, RoomRecovery recovery, JsonNode ackData, ErrorBody error,
                         BiConsumer<ClientConnection, RoomRecovery> start) {
        List<RoomRecovery> toStart;
        synchronized (this) {
            if (replied || !answers.containsKey(recovery.roomId()) || answers.get(recovery.roomId()) != null) {
                return;
            }
            if (error != null) {
                ObjectNode refused = Json.MAPPER.createObjectNode().put("roomId", recovery.roomId());
                refused.set("error", Json.tree(error));
                answers.put(recovery.roomId(), refused);
            } else {
                answers.put(recovery.roomId(), ackData);
                accepted.add(recovery);
            }
            if (--missing > 0) {
                return;
            }
            replied = true;
            ArrayNode rooms = Json.MAPPER.createArrayNode();
            answers.values().forEach(rooms::add);
            ObjectNode data = Json.MAPPER.createObjectNode();
            data.set("rooms", rooms);
            connection.reply(ServerReply.ok(ref, data));
            toStart = List.copyOf(accepted);
        }
        for (RoomRecovery room : toStart) {
            start.accept(connection, room);
        }
    }
}
