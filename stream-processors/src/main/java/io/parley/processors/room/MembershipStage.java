/*
 * MembershipStage owns rooms, members, roles and routing in the room stage: membership by user
 * (u|, from join-room until leave-room / remove-member; a muted member's leave-room keeps their mute
 * for their return, l|), plans join-room, leave-room, remove-member and the subscription of a
 * member's connections without a join (a user's connections in the room c|, the routing table n|
 * of edge node -> slot and connection count, the expiry index x|), create-room / add-member /
 * set-role (RoomAccess decides who may), and sends presence changes (presence-fanout) on to the
 * room's nodes.
 */
package io.parley.processors.room;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
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

    /**
     * join-room of a connection: a user who is not a member yet is admitted (RoomAccess: who may
     * join a created room; a room made by a join is open) and becomes one, with a {@code u|} entry
     * in every room, which lasts until leave-room or remove-member. The connection is subscribed
     * (c|, the routing table n|, the expiry index x|); the user's first connection in the room is
     * JOINED (event, user-joined), any other an ack. A join of a subscribed connection: an ack.
     */
    RoomProcessor.Plan join(RoomCommand command, Head head) {
        String roomId = command.roomId();
        String connectionsKey = RoomKeys.connections(roomId, command.userId());
        Map<String, ConnRef> connections = state.connections(connectionsKey);
        if (connections.containsKey(command.connectionId())) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.JOIN_ACK, head.seq(), List.of()));
        }
        List<Write> writes = new ArrayList<>();
        if (!isMember(roomId, command.userId())) {
            RoomAccess.Admission admission = access.admit(roomId, command.userId(), head);
            if (admission.refusal() != null) {
                return RoomProcessor.Plan.noWrites(admission.refusal());
            }
            writes.addAll(admission.writes());
            if (!(state.store.get(RoomKeys.room(roomId)) instanceof RoomEntry.Room)) {
                writes.add(new Write(RoomKeys.member(roomId, command.userId()), new RoomEntry.Member(RoomAccess.MEMBER)));
            }
        }
        return subscribe(command, head, connections, writes, Decision.Kind.JOINED, Decision.Kind.JOIN_ACK);
    }

    /**
     * A member's connection subscribed by the room stage itself (RoomProcessor builds the command
     * from the presence stage's subscribe request: the connection opened, another device of the
     * user joined, or another user added them): only for a member ({@code u|}); nothing otherwise (removed, or left, meanwhile).
     */
    RoomProcessor.Plan subscribe(RoomCommand command) {
        String roomId = command.roomId();
        if (!isMember(roomId, command.userId())) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.IGNORED, 0, List.of()));
        }
        String connectionsKey = RoomKeys.connections(roomId, command.userId());
        Map<String, ConnRef> connections = state.connections(connectionsKey);
        Head head = state.head(roomId);
        if (connections.containsKey(command.connectionId())) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.SUBSCRIBE_ACK, head.seq(), List.of()));
        }
        return subscribe(command, head, connections, new ArrayList<>(), Decision.Kind.SUBSCRIBED, Decision.Kind.SUBSCRIBE_ACK);
    }

    /** Adds the command's connection to the room: the user's first one is {@code first}, any other {@code more}. */
    private RoomProcessor.Plan subscribe(RoomCommand command, Head head, Map<String, ConnRef> connections, List<Write> writes,
                                         Decision.Kind first, Decision.Kind more) {
        String roomId = command.roomId();
        boolean firstConnection = connections.isEmpty();
        connections.put(command.connectionId(), new ConnRef(command.edgeNodeId(), command.edgeSlot()));
        Map<String, NodeRef> nodes = state.nodes(roomId);
        NodeRef node = nodes.get(command.edgeNodeId());
        nodes.put(command.edgeNodeId(), new NodeRef(command.edgeSlot(), node == null ? 1 : node.connections() + 1));
        Head next = head.next(firstConnection ? 1 : 0);
        Decision decision = firstConnection
                ? Decision.of(first, next.seq(), RoomState.targets(nodes))
                : Decision.of(more, next.seq(), List.of());
        writes.add(new Write(RoomKeys.connections(roomId, command.userId()), new Connections(connections)));
        writes.add(new Write(RoomKeys.nodes(roomId), new Nodes(nodes)));
        writes.add(new Write(RoomKeys.nodeConn(command.edgeNodeId(), roomId, command.userId(), command.connectionId()),
                new NodeConn(command.edgeSlot())));
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(decision, next.ops(), List.copyOf(writes), null);
    }

    /**
     * leave-room (reason client) ends the user's membership (a created room's owner stays its
     * owner) and takes every connection of the user out of the room: LEFT, whose outputs tell every
     * node the room had to unsubscribe the user. A disconnect (reason disconnect) takes out that
     * connection only; the membership stays; the user's last connection is LEFT (event, user-left).
     */
    RoomProcessor.Plan leave(RoomCommand command) {
        if (Decision.repliesToLeave(command)) {
            return endMembership(command, command.userId(), Decision.Kind.LEFT, Decision.Kind.LEAVE_ACK);
        }
        String roomId = command.roomId();
        Head head = state.head(roomId);
        String connectionsKey = RoomKeys.connections(roomId, command.userId());
        Map<String, ConnRef> connections = state.connections(connectionsKey);
        ConnRef gone = connections.remove(command.connectionId());
        if (gone == null) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.LEAVE_ACK, head.seq(), List.of()));
        }
        Map<String, NodeRef> nodes = state.nodes(roomId);
        removeConnection(nodes, gone);
        boolean lastConnection = connections.isEmpty();
        Head next = head.next(lastConnection ? 1 : 0);
        Decision decision = lastConnection
                ? Decision.of(Decision.Kind.LEFT, next.seq(), RoomState.targets(nodes))
                : Decision.of(Decision.Kind.LEAVE_ACK, next.seq(), List.of());
        List<Write> writes = new ArrayList<>(4);
        writes.add(new Write(connectionsKey, lastConnection ? null : new Connections(connections)));
        writes.add(new Write(RoomKeys.nodes(roomId), nodes.isEmpty() ? null : new Nodes(nodes)));
        writes.add(new Write(RoomKeys.nodeConn(gone.edgeNodeId(), roomId, command.userId(), command.connectionId()), null));
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(decision, next.ops(), List.copyOf(writes), null);
    }

    /**
     * remove-member {memberId}: by the owner (anyone but themself) or an admin (members only) of a
     * created room; refusals change nothing. Ends the membership like the member's leave-room:
     * MEMBER_REMOVED, whose outputs reach every node the room had (member-removed, then unsubscribe).
     */
    RoomProcessor.Plan remove(RoomCommand command) {
        String roomId = command.roomId();
        String memberId = ((RoomCommand.RemoveMember) command.body()).memberId();
        if (!(state.store.get(RoomKeys.room(roomId)) instanceof RoomEntry.Room)) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "room " + roomId + " has no members to manage (it was not made by create-room)"));
        }
        RoomEntry.Member caller = member(roomId, command.userId());
        if (caller == null || !(RoomAccess.OWNER.equals(caller.role()) || RoomAccess.ADMIN.equals(caller.role()))) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "only the room's admins and owner remove members"));
        }
        if (memberId.equals(command.userId())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE, "to leave the room, use leave-room"));
        }
        RoomEntry.Member target = member(roomId, memberId);
        if (target == null) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE, "not a member of the room"));
        }
        if (RoomAccess.OWNER.equals(target.role())
                || RoomAccess.ADMIN.equals(target.role()) && !RoomAccess.OWNER.equals(caller.role())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "only the owner removes an admin, and nobody the owner"));
        }
        return endMembership(command, memberId, Decision.Kind.MEMBER_REMOVED, null);
    }

    /**
     * Ends {@code userId}'s membership of the command's room and takes all their connections out of
     * it. {@code ended}: the decision, with every node the room had as targets (so each drops the
     * user's sockets); {@code none} (null: never) when the user was neither a member nor subscribed.
     */
    private RoomProcessor.Plan endMembership(RoomCommand command, String userId, Decision.Kind ended, Decision.Kind none) {
        String roomId = command.roomId();
        Head head = state.head(roomId);
        String connectionsKey = RoomKeys.connections(roomId, userId);
        Map<String, ConnRef> connections = state.connections(connectionsKey);
        RoomEntry.Member member = member(roomId, userId);
        if (member == null && connections.isEmpty()) {
            return RoomProcessor.Plan.noWrites(Decision.of(none, head.seq(), List.of()));
        }
        Map<String, NodeRef> nodes = state.nodes(roomId);
        List<Decision.Target> before = RoomState.targets(nodes);
        List<Write> writes = new ArrayList<>();
        if (state.store.get(RoomKeys.room(roomId)) instanceof RoomEntry.Room) {
            writes.addAll(access.leave(roomId, userId)); // the member entry and count (an owner stays)
        } else if (member != null) {
            writes.add(new Write(RoomKeys.member(roomId, userId), null));
        }
        connections.forEach((connectionId, gone) -> {
            removeConnection(nodes, gone);
            writes.add(new Write(RoomKeys.nodeConn(gone.edgeNodeId(), roomId, userId, connectionId), null));
        });
        if (!connections.isEmpty()) {
            writes.add(new Write(connectionsKey, null));
            writes.add(new Write(RoomKeys.nodes(roomId), nodes.isEmpty() ? null : new Nodes(nodes)));
        }
        Head next = head.next(1);
        if (ended == Decision.Kind.LEFT && member != null && member.isMuted()) {
            // A muted member who leaves comes back muted (join or add-member); remove-member clears it.
            writes.add(new Write(RoomKeys.leftMuted(roomId, userId), new RoomEntry.LeftMuted(next.seq())));
        }
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(Decision.of(ended, next.seq(), before), next.ops(), List.copyOf(writes), null);
    }

    private static void removeConnection(Map<String, NodeRef> nodes, ConnRef gone) {
        NodeRef node = nodes.get(gone.edgeNodeId());
        if (node != null && node.connections() > 1) {
            nodes.put(gone.edgeNodeId(), new NodeRef(node.slot(), node.connections() - 1));
        } else {
            nodes.remove(gone.edgeNodeId());
        }
    }

    private boolean isMember(String roomId, String userId) {
        return member(roomId, userId) != null;
    }

    private RoomEntry.Member member(String roomId, String userId) {
        return state.store.get(RoomKeys.member(roomId, userId)) instanceof RoomEntry.Member member ? member : null;
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
