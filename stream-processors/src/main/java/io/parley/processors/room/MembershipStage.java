/*
 * MembershipStage owns rooms, members, roles and routing in the room stage: plans join-room and
 * leave-room (a user's connections in the room c|, the routing table n| of edge node -> slot and
 * connection count, the expiry index x|), create-room / add-member / set-role (RoomAccess decides
 * who may), and sends presence changes (presence-fanout) on to the room's nodes.
 */
package io.parley.processors.room;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.Limits;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.presence.PresenceFanout;
import io.parley.processors.room.RoomEntry.ConnRef;
import io.parley.processors.room.RoomEntry.Connections;
import io.parley.processors.room.RoomEntry.Head;
import io.parley.processors.room.RoomEntry.NodeConn;
import io.parley.processors.room.RoomEntry.NodeRef;
import io.parley.processors.room.RoomEntry.Nodes;
import io.parley.processors.room.RoomEntry.Write;
import org.apache.kafka.streams.processor.api.Record;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Plans membership decisions and forwards presence to a room's nodes. */
final class MembershipStage {
    private final RoomState state;
    private final RoomAccess access;

    MembershipStage(RoomState state) {
        this.state = state;
        this.access = new RoomAccess(state.store);
    }

    RoomProcessor.Plan create(RoomCommand command) {
        return access.create(command, state.head(command.roomId()));
    }

    RoomProcessor.Plan add(RoomCommand command) {
        return access.add(command, state.head(command.roomId()), state.nodes(command.roomId()));
    }

    RoomProcessor.Plan setRole(RoomCommand command) {
        return access.setRole(command, state.head(command.roomId()), state.nodes(command.roomId()));
    }

    RoomProcessor.Plan join(RoomCommand command) {
        String roomId = command.roomId();
        Head head = state.head(roomId);
        String connectionsKey = RoomKeys.connections(roomId, command.userId());
        Map<String, ConnRef> connections = state.connections(connectionsKey);
        if (connections.containsKey(command.connectionId())) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.JOIN_ACK, head.seq(), List.of()));
        }
        boolean firstConnection = connections.isEmpty();
        RoomAccess.Admission admission = firstConnection ? access.admit(roomId, command.userId())
                : new RoomAccess.Admission(null, List.of());
        if (admission.refusal() != null) {
            return RoomProcessor.Plan.noWrites(admission.refusal());
        }
        connections.put(command.connectionId(), new ConnRef(command.edgeNodeId(), command.edgeSlot()));
        Map<String, NodeRef> nodes = state.nodes(roomId);
        NodeRef node = nodes.get(command.edgeNodeId());
        nodes.put(command.edgeNodeId(), new NodeRef(command.edgeSlot(), node == null ? 1 : node.connections() + 1));
        Head next = new Head(firstConnection ? head.seq() + 1 : head.seq(), head.ops() + 1);
        Decision decision = firstConnection
                ? Decision.of(Decision.Kind.JOINED, next.seq(), RoomState.targets(nodes))
                : Decision.of(Decision.Kind.JOIN_ACK, next.seq(), List.of());
        List<Write> writes = new ArrayList<>(admission.writes());
        writes.add(new Write(connectionsKey, new Connections(connections)));
        writes.add(new Write(RoomKeys.nodes(roomId), new Nodes(nodes)));
        writes.add(new Write(RoomKeys.nodeConn(command.edgeNodeId(), roomId, command.userId(), command.connectionId()),
                new NodeConn(command.edgeSlot())));
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(decision, next.ops(), List.copyOf(writes), null);
    }

    RoomProcessor.Plan leave(RoomCommand command) {
        String roomId = command.roomId();
        Head head = state.head(roomId);
        String connectionsKey = RoomKeys.connections(roomId, command.userId());
        Map<String, ConnRef> connections = state.connections(connectionsKey);
        ConnRef gone = connections.remove(command.connectionId());
        if (gone == null) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.LEAVE_ACK, head.seq(), List.of()));
        }
        Map<String, NodeRef> nodes = state.nodes(roomId);
        NodeRef node = nodes.get(gone.edgeNodeId());
        if (node != null && node.connections() > 1) {
            nodes.put(gone.edgeNodeId(), new NodeRef(node.slot(), node.connections() - 1));
        } else {
            nodes.remove(gone.edgeNodeId());
        }
        boolean lastConnection = connections.isEmpty();
        Head next = new Head(lastConnection ? head.seq() + 1 : head.seq(), head.ops() + 1);
        Decision decision = lastConnection
                ? Decision.of(Decision.Kind.LEFT, next.seq(), RoomState.targets(nodes))
                : Decision.of(Decision.Kind.LEAVE_ACK, next.seq(), List.of());
        List<Write> writes = new ArrayList<>(lastConnection && Decision.repliesToLeave(command)
                ? access.leave(roomId, command.userId()) : List.of()); // leave-room (not a disconnect) ends a membership
        writes.add(new Write(connectionsKey, lastConnection ? null : new Connections(connections)));
        writes.add(new Write(RoomKeys.nodes(roomId), nodes.isEmpty() ? null : new Nodes(nodes)));
        writes.add(new Write(RoomKeys.nodeConn(gone.edgeNodeId(), roomId, command.userId(), command.connectionId()), null));
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(decision, next.ops(), List.copyOf(writes), null);
    }

    /**
     * A user's presence change: presence-update to every edge node holding sockets of the room,
     * followed by seed 004's user-online {userId, username, roomId} when the room learns the user is
     * online, or user-offline {userId, roomId} when they went offline (neither to the user's own
     * sockets). Unsequenced (seq 0): not room events, take no seq and are never de-duplicated.
     * username: the display name the user's latest connection's token carried (else the user id).
     */
    void presence(Record<String, Object> record, PresenceFanout fanout) {
        if (fanout.roomId() == null || !Limits.isValidRoomId(fanout.roomId()) || fanout.update() == null) {
            return;
        }
        JsonNode data = Json.tree(fanout.update());
        String userId = fanout.update().userId();
        JsonNode online = fanout.cameOnline() && userId != null
                ? Json.tree(new Protocol.UserOnline(userId, fanout.username() == null ? userId : fanout.username(),
                fanout.roomId())) : null;
        JsonNode offline = Protocol.OFFLINE.equals(fanout.update().status()) && userId != null
                ? Json.tree(new Protocol.UserOffline(userId, fanout.roomId())) : null;
        state.nodes(fanout.roomId()).forEach((nodeId, node) -> {
            state.deliver(record, new Delivery(nodeId, node.slot(),
                    new Delivery.ToRoom(fanout.roomId(), 0, Protocol.PRESENCE_UPDATE, data)));
            if (online != null) {
                state.deliver(record, new Delivery(nodeId, node.slot(),
                        new Delivery.ToRoom(fanout.roomId(), 0, Protocol.USER_ONLINE, online, userId)));
            }
            if (offline != null) {
                state.deliver(record, new Delivery(nodeId, node.slot(),
                        new Delivery.ToRoom(fanout.roomId(), 0, Protocol.USER_OFFLINE, offline, userId)));
            }
        });
    }
}
