/*
 * RoomProcessor owns the per-room stage of the message critical path: for each room command it
 * validates, keeps membership by connection and the routing table (which edge nodes hold the
 * room's sockets), assigns the room's next seq (1, 2, 3 ... with no gap), and emits the room
 * event, one delivery per edge node of the room, and the reply to the requesting connection.
 * Rooms as objects (create-room, add-member, who may join) are planned by RoomAccess.
 * Typing indicators live here too (ephemeral, members only, never room events; see typing()).
 * It is also where at-least-once is made safe: each command's decision is remembered by event id
 * before any state changes, so a command seen again re-emits its original outputs.
 */
package io.parley.processors.room;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.Limits;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.lease.NodeExpired;
import io.parley.processors.presence.PresenceFanout;
import io.parley.processors.CrashPoints;
import io.parley.processors.Stores;
import io.parley.processors.room.RoomEntry.ClientMsg;
import io.parley.processors.room.RoomEntry.ConnRef;
import io.parley.processors.room.RoomEntry.Connections;
import io.parley.processors.room.RoomEntry.Done;
import io.parley.processors.room.RoomEntry.Head;
import io.parley.processors.room.RoomEntry.Typing;
import io.parley.processors.room.RoomEntry.NodeRef;
import io.parley.processors.room.RoomEntry.NodeConn;
import io.parley.processors.room.RoomEntry.Nodes;
import io.parley.processors.room.RoomEntry.Write;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The room processor (input: room-commands, key room id; presence diffs and node expiries from the
 * internal topics). Outputs {@link UserEvent} membership changes (key user id),  {@link io.parley.contracts.event.RoomEvent}s
 * (key room id) and {@link Delivery}s (key edge node id); the topology routes them to their topics.
 *
 * <p><b>Crash safety.</b> Every piece of room state lives in one store, written without a cache,
 * so its changelog partition receives the writes in the order they are made, and after a crash
 * the restored store holds a prefix of them. For a command the order is: (1) its decision, with
 * the absolute state writes it implies, under the command's key; (2) those writes, the room's
 * head (seq, op count) last; (3) the output records. Seen again:
 * <ul>
 *   <li>no decision stored: nothing of it was applied; it is decided again from the same state,
 *       which gives the same seq and ids (outputs are a pure function of command and decision),
 *       so outputs that escaped before the crash are re-emitted identically, never invented;</li>
 *   <li>decision stored and the head's op count below the decision's: the crash fell between (1)
 *       and the end of (2), and nothing later of this room was applied: its writes are applied
 *       (again); then its outputs are re-emitted;</li>
 *   <li>decision stored and the head at or past it: its outputs are re-emitted, state untouched.</li>
 * </ul>
 * Rejections that depend only on the command (invalid room id, invalid message) are not stored:
 * deciding them again gives the same answer. Decisions are kept {@link Stores#DECISION_RETENTION}.
 */
final class RoomProcessor implements Processor<String, Object, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(RoomProcessor.class);

    private final RoomCommandChecks checks;
    private final long typingTimeoutMs;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, RoomEntry> store;
    private RoomAccess access;

    RoomProcessor(int maxMessageLength, long typingTimeoutMs) {
        this.checks = new RoomCommandChecks(maxMessageLength);
        this.typingTimeoutMs = typingTimeoutMs;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(Stores.ROOM_STATE);
        this.access = new RoomAccess(store);
        context.schedule(Stores.DECISION_EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::expireDecisions);
        context.schedule(Stores.TYPING_EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::expireTyping);
    }

    @Override
    public void process(Record<String, Object> record) {
        switch (record.value()) {
            case RoomCommand command -> handle(record, command);
            case PresenceFanout fanout -> presence(record, fanout);
            case NodeExpired expired -> expire(record, expired);
            case null, default -> { }
        }
    }

    private void handle(Record<String, Object> record, RoomCommand command) {
        handle(record, command, null);
    }

    /** {@code crashPoint}: a test hook ({@link CrashPoints}) between the decision's writes and its outputs. */
    private void handle(Record<String, Object> record, RoomCommand command, String crashPoint) {
        Decision decision = checks.rejectionOf(command);
        if (decision == null && (command.body() instanceof RoomCommand.TypingStart
                || command.body() instanceof RoomCommand.TypingStop)) {
            typing(record, command);
            return;
        }
        if (decision == null) {
            decision = decideOnce(command);
            CrashPoints.reach(crashPoint);
        }
        for (Object out : decision.outputs(command)) {
            String key = out instanceof Delivery delivery ? delivery.edgeNodeId()
                    : out instanceof UserEvent userEvent ? userEvent.userId() : command.roomId();
            context.forward(record.withKey(key).withValue(out));
        }
        // A message, or the typing connection leaving (or the user's last one), ends typing at once.
        switch (decision.kind()) {
            case SENT -> stopTyping(record, command.roomId(), command.userId(), null);
            case LEFT -> stopTyping(record, command.roomId(), command.userId(), null);
            case LEAVE_ACK -> stopTyping(record, command.roomId(), command.userId(), command.connectionId());
            default -> { }
        }
    }

    /**
     * typing-start / typing-stop of a member. Ephemeral state ({@code y|} keys, no decision, no seq,
     * no room event): a start puts (or refreshes) the user's expiry and broadcasts
     * {@code user-typing} only when the user was not typing already; a stop broadcasts
     * {@code user-stopped-typing} only when they were. Broadcasts are unsequenced (seq 0) and
     * exclude the typist's own sockets. A replay may repeat a start or stop: harmless. The ok reply
     * goes only to a request with a ref (clients refresh often); errors always.
     */
    private void typing(Record<String, Object> record, RoomCommand command) {
        if (connections(RoomKeys.connections(command.roomId(), command.userId())).isEmpty()) {
            for (Object out : Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "join the room first").outputs(command)) {
                context.forward(record.withKey(command.edgeNodeId()).withValue(out));
            }
            return;
        }
        if (command.body() instanceof RoomCommand.TypingStart) {
            long now = context.currentSystemTimeMs();
            String key = RoomKeys.typing(command.roomId(), command.userId());
            boolean already = store.get(key) instanceof Typing typing && typing.expiresAt() > now;
            store.put(key, new Typing(command.roomId(), command.userId(), command.connectionId(), now + typingTimeoutMs));
            if (!already) {
                broadcastTyping(record, command.roomId(), command.userId(), Decision.user(command).username(), Protocol.USER_TYPING);
            }
        } else {
            stopTyping(record, command.roomId(), command.userId(), null);
        }
        if (command.ref() != null) {
            context.forward(record.withKey(command.edgeNodeId()).withValue(new Delivery(command.edgeNodeId(),
                    command.edgeSlot(), new Delivery.Reply(command.connectionId(), command.ref(), true, null, null))));
        }
    }

    /** Ends the user's typing in the room, if any (only if started by {@code connectionId}, when given). */
    private void stopTyping(Record<String, Object> record, String roomId, String userId, String connectionId) {
        String key = RoomKeys.typing(roomId, userId);
        if (store.get(key) instanceof Typing typing
                && (connectionId == null || connectionId.equals(typing.connectionId()))) {
            store.delete(key);
            broadcastTyping(record, roomId, userId, null, Protocol.USER_STOPPED_TYPING);
        }
    }

    private void broadcastTyping(Record<String, Object> record, String roomId, String userId, String username, String event) {
        JsonNode data = Json.tree(new Protocol.Typing(roomId, userId, username));
        nodes(roomId).forEach((nodeId, node) -> context.forward(record.withKey(nodeId).withValue(
                new Delivery(nodeId, node.slot(), new Delivery.ToRoom(roomId, 0, event, data, userId)))));
    }

    /** Stops every typist whose expiry passed: one range scan over the (few) typing entries of this task. */
    private void expireTyping(long now) {
        List<Typing> expired = new ArrayList<>();
        try (KeyValueIterator<String, RoomEntry> it = store.range(RoomKeys.TYPING_PREFIX, RoomKeys.TYPING_PREFIX + "\uffff")) {
            it.forEachRemaining(entry -> {
                if (entry.value instanceof Typing typing && typing.expiresAt() <= now) {
                    expired.add(typing);
                }
            });
        }
        for (Typing typing : expired) {
            store.delete(RoomKeys.typing(typing.roomId(), typing.userId()));
            broadcastTyping(new Record<>(typing.roomId(), null, now), typing.roomId(), typing.userId(), null,
                    Protocol.USER_STOPPED_TYPING);
        }
    }

    /**
     * A user's presence change: presence-update to every edge node holding sockets of the room,
     * followed by seed 004's user-online {userId, username, roomId} when the room learns the user is
     * online, or user-offline {userId, roomId} when they went offline (neither to the user's own
     * sockets). Unsequenced (seq 0): not room events, take no seq and are never de-duplicated.
     * username: the display name the user's latest connection's token carried (else the user id).
     */
    private void presence(Record<String, Object> record, PresenceFanout fanout) {
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
        nodes(fanout.roomId()).forEach((nodeId, node) -> {
            context.forward(record.withKey(nodeId).withValue(
                    new Delivery(nodeId, node.slot(), new Delivery.ToRoom(fanout.roomId(), 0, Protocol.PRESENCE_UPDATE, data))));
            if (online != null) {
                context.forward(record.withKey(nodeId).withValue(new Delivery(nodeId, node.slot(),
                        new Delivery.ToRoom(fanout.roomId(), 0, Protocol.USER_ONLINE, online, userId))));
            }
            if (offline != null) {
                context.forward(record.withKey(nodeId).withValue(new Delivery(nodeId, node.slot(),
                        new Delivery.ToRoom(fanout.roomId(), 0, Protocol.USER_OFFLINE, offline, userId))));
            }
        });
    }

    /**
     * An edge node's lease expired (or it restarted: then only connections of its earlier boots,
     * {@link NodeExpired#covers}): each of its connections in this partition's rooms leaves as if
     * its socket had closed (a synthetic leave-room with reason disconnect, id derived from the
     * expiry's, so a replay decides the same). Nothing from the dead node is needed. Which
     * connections leave is decided once and remembered ({@link NodeExpiryLeaves}) before the first
     * leave empties its index entry: a crash anywhere in between, and the expiry read again, gives
     * the same leaves, each re-emitting its original outputs.
     */
    private void expire(Record<String, Object> record, NodeExpired expired) {
        List<String> keys = NodeExpiryLeaves.keys(store, expired); // remembered before any leave is applied
        for (String key : keys) {
            String[] roomUserConnection = RoomKeys.ofNodeConn(key, expired.edgeNodeId());
            String connectionId = roomUserConnection[2];
            RoomCommand leave = new RoomCommand(EventIds.derived(expired.eventId(), key), roomUserConnection[0],
                    roomUserConnection[1], expired.edgeNodeId(), expired.edgeSlot(), connectionId, null, expired.at(),
                    new RoomCommand.Leave("disconnect"));
            handle(record.withKey(leave.roomId()).withValue(leave), leave, CrashPoints.ROOM_EXPIRY_LEAVE_WRITTEN);
            store.delete(key); // normally deleted by the leave's writes; a stale entry must not survive
        }
        if (!keys.isEmpty()) {
            log.info("edge node {} {}: {} room connections left", expired.edgeNodeId(),
                    expired.before() == null ? "expired" : "restarted", keys.size());
        }
    }

    /** The command's decision: the remembered one (finishing its writes if a crash cut them), or a new one. */
    private Decision decideOnce(RoomCommand command) {
        String doneKey = RoomKeys.done(command.timestamp(), command.eventId());
        if (store.get(doneKey) instanceof Done done) {
            if (done.ops() > head(command.roomId()).ops()) {
                done.writes().forEach(this::write);
            }
            return done.decision();
        }
        Plan plan = switch (command.body()) {
            case RoomCommand.Join join -> join(command);
            case RoomCommand.Leave leave -> leave(command);
            case RoomCommand.Send send -> send(command, send);
            case RoomCommand.MarkRead read -> markRead(command, read);
            case RoomCommand.CreateRoom create -> access.create(command, head(command.roomId()));
            case RoomCommand.AddMember add -> access.add(command, head(command.roomId()), nodes(command.roomId()));
            case RoomCommand.SetRole set -> access.setRole(command, head(command.roomId()), nodes(command.roomId()));
            case RoomCommand.TypingStart start -> throw new IllegalStateException("typing is not decided"); // see handle
            case RoomCommand.TypingStop stop -> throw new IllegalStateException("typing is not decided");
        };
        store.put(doneKey, new Done(plan.decision(), plan.ops(), plan.writes(), plan.clientMsgKey()));
        plan.writes().forEach(this::write);
        return plan.decision();
    }

    /** A decision and the state writes it implies, the room's head last; {@code ops}: the head's op count after them. */
    record Plan(Decision decision, long ops, List<Write> writes, String clientMsgKey) {
        static Plan noWrites(Decision decision) {
            return new Plan(decision, 0, List.of(), null);
        }
    }

    private Plan join(RoomCommand command) {
        String roomId = command.roomId();
        Head head = head(roomId);
        String connectionsKey = RoomKeys.connections(roomId, command.userId());
        Map<String, ConnRef> connections = connections(connectionsKey);
        if (connections.containsKey(command.connectionId())) {
            return Plan.noWrites(Decision.of(Decision.Kind.JOIN_ACK, head.seq(), List.of()));
        }
        boolean firstConnection = connections.isEmpty();
        RoomAccess.Admission admission = firstConnection ? access.admit(roomId, command.userId())
                : new RoomAccess.Admission(null, List.of());
        if (admission.refusal() != null) {
            return Plan.noWrites(admission.refusal());
        }
        connections.put(command.connectionId(), new ConnRef(command.edgeNodeId(), command.edgeSlot()));
        Map<String, NodeRef> nodes = nodes(roomId);
        NodeRef node = nodes.get(command.edgeNodeId());
        nodes.put(command.edgeNodeId(), new NodeRef(command.edgeSlot(), node == null ? 1 : node.connections() + 1));
        Head next = new Head(firstConnection ? head.seq() + 1 : head.seq(), head.ops() + 1);
        Decision decision = firstConnection
                ? Decision.of(Decision.Kind.JOINED, next.seq(), targets(nodes))
                : Decision.of(Decision.Kind.JOIN_ACK, next.seq(), List.of());
        List<Write> writes = new ArrayList<>(admission.writes());
        writes.add(new Write(connectionsKey, new Connections(connections)));
        writes.add(new Write(RoomKeys.nodes(roomId), new Nodes(nodes)));
        writes.add(new Write(RoomKeys.nodeConn(command.edgeNodeId(), roomId, command.userId(), command.connectionId()),
                new NodeConn(command.edgeSlot())));
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new Plan(decision, next.ops(), List.copyOf(writes), null);
    }

    private Plan leave(RoomCommand command) {
        String roomId = command.roomId();
        Head head = head(roomId);
        String connectionsKey = RoomKeys.connections(roomId, command.userId());
        Map<String, ConnRef> connections = connections(connectionsKey);
        ConnRef gone = connections.remove(command.connectionId());
        if (gone == null) {
            return Plan.noWrites(Decision.of(Decision.Kind.LEAVE_ACK, head.seq(), List.of()));
        }
        Map<String, NodeRef> nodes = nodes(roomId);
        NodeRef node = nodes.get(gone.edgeNodeId());
        if (node != null && node.connections() > 1) {
            nodes.put(gone.edgeNodeId(), new NodeRef(node.slot(), node.connections() - 1));
        } else {
            nodes.remove(gone.edgeNodeId());
        }
        boolean lastConnection = connections.isEmpty();
        Head next = new Head(lastConnection ? head.seq() + 1 : head.seq(), head.ops() + 1);
        Decision decision = lastConnection
                ? Decision.of(Decision.Kind.LEFT, next.seq(), targets(nodes))
                : Decision.of(Decision.Kind.LEAVE_ACK, next.seq(), List.of());
        List<Write> writes = new ArrayList<>(lastConnection && Decision.repliesToLeave(command)
                ? access.leave(roomId, command.userId()) : List.of()); // leave-room (not a disconnect) ends a membership
        writes.add(new Write(connectionsKey, lastConnection ? null : new Connections(connections)));
        writes.add(new Write(RoomKeys.nodes(roomId), nodes.isEmpty() ? null : new Nodes(nodes)));
        writes.add(new Write(RoomKeys.nodeConn(gone.edgeNodeId(), roomId, command.userId(), command.connectionId()), null));
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new Plan(decision, next.ops(), List.copyOf(writes), null);
    }

    private Plan send(RoomCommand command, RoomCommand.Send send) {
        String roomId = command.roomId();
        String clientMsgKey = send.clientMsgId() == null ? null
                : RoomKeys.clientMsg(roomId, command.userId(), send.clientMsgId());
        if (clientMsgKey != null && store.get(clientMsgKey) instanceof ClientMsg original) {
            return Plan.noWrites(Decision.resent(original.messageId(), original.seq(), original.createdAt()));
        }
        if (connections(RoomKeys.connections(roomId, command.userId())).isEmpty()) {
            return Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "join the room first"));
        }
        Head head = head(roomId);
        Head next = new Head(head.seq() + 1, head.ops() + 1);
        List<Write> writes = new ArrayList<>(3);
        if (clientMsgKey != null) {
            writes.add(new Write(clientMsgKey, new ClientMsg(command.eventId(), next.seq(), command.timestamp())));
        }
        writes.add(new Write(RoomKeys.message(roomId, command.eventId()), new RoomEntry.MsgSeq(next.seq())));
        writes.add(new Write(RoomKeys.head(roomId), next));
        return new Plan(Decision.of(Decision.Kind.SENT, next.seq(), targets(nodes(roomId))), next.ops(), writes, clientMsgKey);
    }

    /**
     * Moves the user's read position forward: a seq at or below the current one is acknowledged
     * with the current position and changes nothing; a seq past the room's last event is refused.
     * Message ids resolve to their seqs through the room's message index ({@code i|} keys, kept as
     * long as decisions): the position moves to the highest; ids the room does not know are left
     * out, and none known is INVALID_MESSAGE. A move is a room event (ReadPosition, the room's next
     * seq), so history rebuilds read positions.
     */
    private Plan markRead(RoomCommand command, RoomCommand.MarkRead read) {
        String roomId = command.roomId();
        if (connections(RoomKeys.connections(roomId, command.userId())).isEmpty()) {
            return Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "join the room first"));
        }
        Head head = head(roomId);
        List<String> known = null;
        long target;
        if (read.messageIds() != null) {
            known = new ArrayList<>(read.messageIds().size());
            target = 0;
            for (String id : read.messageIds()) {
                if (store.get(RoomKeys.message(roomId, id)) instanceof RoomEntry.MsgSeq message && !known.contains(id)) {
                    known.add(id);
                    target = Math.max(target, message.seq());
                }
            }
            if (known.isEmpty()) {
                return Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE, "unknown message id"
                        + (read.messageIds().size() > 1 ? "s" : "") + " in room " + roomId
                        + " (ids are resolved for " + Stores.DECISION_RETENTION.toHours() + " h; mark older ones with {roomId, seq})"));
            }
        } else {
            target = read.seq();
        }
        if (target > head.seq()) {
            return Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE,
                    "seq " + target + " is past the room's last event " + head.seq()));
        }
        String key = RoomKeys.readPosition(roomId, command.userId());
        long current = store.get(key) instanceof RoomEntry.ReadPos position ? position.seq() : 0;
        if (target <= current) {
            return Plan.noWrites(known == null ? Decision.of(Decision.Kind.READ_ACK, current, List.of())
                    : Decision.read(Decision.Kind.READ_ACK, current, List.of(), current, known));
        }
        Head next = new Head(head.seq() + 1, head.ops() + 1);
        List<Decision.Target> targets = targets(nodes(roomId));
        return new Plan(known == null ? Decision.of(Decision.Kind.READ, next.seq(), targets)
                : Decision.read(Decision.Kind.READ, next.seq(), targets, target, known), next.ops(), List.of(
                new Write(key, new RoomEntry.ReadPos(target)),
                new Write(RoomKeys.head(roomId), next)), null);
    }

    private Head head(String roomId) {
        return store.get(RoomKeys.head(roomId)) instanceof Head head ? head : Head.EMPTY;
    }

    /** A mutable, sorted copy of the room's routing table. */
    private Map<String, NodeRef> nodes(String roomId) {
        return store.get(RoomKeys.nodes(roomId)) instanceof Nodes nodes ? new TreeMap<>(nodes.nodes()) : new TreeMap<>();
    }

    /** A mutable, sorted copy of a (room, user)'s connections. */
    private Map<String, ConnRef> connections(String key) {
        return store.get(key) instanceof Connections c ? new TreeMap<>(c.connections()) : new TreeMap<>();
    }

    private static List<Decision.Target> targets(Map<String, NodeRef> nodes) {
        List<Decision.Target> targets = new ArrayList<>(nodes.size());
        new TreeMap<>(nodes).forEach((id, node) -> targets.add(new Decision.Target(id, node.slot())));
        return List.copyOf(targets);
    }

    private void write(Write write) {
        if (write.value() == null) {
            store.delete(write.key());
        } else {
            store.put(write.key(), write.value());
        }
    }

    /** Drops decisions older than the retention, with the clientMsgId acks and message index entries they wrote. */
    private void expireDecisions(long now) {
        List<KeyValue<String, RoomEntry>> expired = new ArrayList<>();
        try (KeyValueIterator<String, RoomEntry> it = store.range(RoomKeys.DONE_PREFIX,
                RoomKeys.doneUpperBound(now - Stores.DECISION_RETENTION.toMillis()))) {
            it.forEachRemaining(expired::add);
        }
        for (KeyValue<String, RoomEntry> entry : expired) {
            store.delete(entry.key);
            if (entry.value instanceof Done done && done.clientMsgKey() != null
                    && store.get(done.clientMsgKey()) instanceof ClientMsg ack
                    && ack.messageId().equals(RoomKeys.eventIdOfDone(entry.key))) {
                store.delete(done.clientMsgKey());
            }
            if (entry.value instanceof Done done) {
                for (Write write : done.writes()) {
                    if (write.key().startsWith(RoomKeys.MESSAGE_PREFIX)) {
                        store.delete(write.key()); // the message index lives as long as the message's decision
                    }
                }
            }
        }
        if (!expired.isEmpty()) {
            log.debug("{}: dropped {} decisions", Stores.ROOM_DECISION_EXPIRY_PUNCTUATOR, expired.size());
        }
    }
}
