/*
 * RoomLifecycle owns the life of a created room after create-room, decided in the room stage from
 * the room's own state: update-room, delete-room (by the owner, or idle expiry), mute-member /
 * unmute-member, open-direct (find or create the direct room of a pair), and what a deleted room
 * still accepts. Like RoomAccess it plans decisions; RoomProcessor stores and applies them.
 */
package io.parley.processors.room;

import io.parley.contracts.DirectRooms;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.Limits;
import io.parley.contracts.event.RoomCommand;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rules: update-room, mute-member, unmute-member: the owner and admins (an admin mutes members,
 * not admins; nobody mutes the owner); delete-room: the owner. Refusals are
 * {@code AUTHORIZATION_FAILED} and change nothing. A deleted room keeps its settings marked
 * deleted (so its id is never reused) and refuses every command with {@code INVALID_ROOM}, except
 * a connection's leave, which only drops that connection's entries (no event: room-deleted is the
 * room's last event). A room created with {@code expireAfterIdleMs} has an {@code e|} timer moved
 * by each message; the idle-expiry punctuator turns a due timer into a delete decision.
 */
final class RoomLifecycle {
    static final String IDLE = "idle";
    static final String OWNER_REASON = "owner";
    /** The smallest expireAfterIdleMs a room may have (also in the schemas and the edge's parser). */
    static final long MIN_IDLE_MS = 1000;

    private final KeyValueStore<String, RoomEntry> store;

    RoomLifecycle(KeyValueStore<String, RoomEntry> store) {
        this.store = store;
    }

    /** A refusal of an update / delete / mute / open-direct that depends on the command alone, or null. */
    static String problemOf(RoomCommand.Body body) {
        return switch (body) {
            case RoomCommand.UpdateRoom update when update.name() == null && update.description() == null
                    && update.maxUsers() == null -> "nothing to update: give name, description or maxUsers";
            case RoomCommand.UpdateRoom update when update.name() != null
                    && update.name().codePointCount(0, update.name().length()) > Limits.MAX_ROOM_NAME
                    || update.description() != null
                    && update.description().codePointCount(0, update.description().length()) > Limits.MAX_ROOM_DESCRIPTION ->
                    "name or description too long";
            case RoomCommand.UpdateRoom update when update.maxUsers() != null && update.maxUsers() < 1 ->
                    "maxUsers must be a positive integer";
            case RoomCommand.DeleteRoom delete when delete.reason() != null -> "delete-room takes no reason";
            case RoomCommand.MuteMember mute when mute.memberId() == null || mute.memberId().isBlank() -> "memberId is required";
            case RoomCommand.UnmuteMember mute when mute.memberId() == null || mute.memberId().isBlank() -> "memberId is required";
            case RoomCommand.OpenDirect open when open.memberId() == null || open.memberId().isBlank() -> "memberId is required";
            case RoomCommand.CreateRoom create when create.expireAfterIdleMs() != null && create.expireAfterIdleMs() < MIN_IDLE_MS ->
                    "expireAfterIdleMs must be at least " + MIN_IDLE_MS;
            default -> null;
        };
    }

    /** The refusal of a command on a deleted room (INVALID_ROOM), or null (not deleted, or a leave). */
    Decision refusalIfDeleted(RoomCommand command) {
        if (command.body() instanceof RoomCommand.Leave || !(room(command.roomId()) instanceof RoomEntry.Room room)
                || !room.isDeleted()) {
            return null;
        }
        return Decision.rejected(ErrorCode.INVALID_ROOM, "room " + command.roomId() + " was deleted");
    }

    /** For a deleted room: the refusal, or a leave's plan; null when the room is not deleted. */
    RoomProcessor.Plan planIfDeleted(RoomCommand command, RoomEntry.Head head) {
        if (!head.may(RoomEntry.Head.DELETED)) {
            return null; // never deleted: no settings to read
        }
        if (command.body() instanceof RoomCommand.Leave) {
            return leaveDeleted(command, head);
        }
        Decision refusal = refusalIfDeleted(command);
        return refusal == null ? null : RoomProcessor.Plan.noWrites(refusal);
    }

    boolean isDeleted(String roomId) {
        return room(roomId) instanceof RoomEntry.Room room && room.isDeleted();
    }

    /** A leave of a deleted room: drops the connection's entries, no event; ack (if asked). Null: not deleted. */
    RoomProcessor.Plan leaveDeleted(RoomCommand command, RoomEntry.Head head) {
        if (!isDeleted(command.roomId())) {
            return null;
        }
        String key = RoomKeys.connections(command.roomId(), command.userId());
        if (!(store.get(key) instanceof RoomEntry.Connections connections) || !connections.connections().containsKey(command.connectionId())) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.LEAVE_ACK, head.seq(), List.of()));
        }
        Map<String, RoomEntry.ConnRef> rest = new TreeMap<>(connections.connections());
        RoomEntry.ConnRef gone = rest.remove(command.connectionId());
        RoomEntry.Head next = head.next(0);
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.LEAVE_ACK, head.seq(), List.of()), next.ops(), List.of(
                new RoomEntry.Write(key, rest.isEmpty() ? null : new RoomEntry.Connections(rest)),
                new RoomEntry.Write(RoomKeys.nodeConn(gone.edgeNodeId(), command.roomId(), command.userId(), command.connectionId()), null),
                new RoomEntry.Write(RoomKeys.head(command.roomId()), next)), null);
    }

    /** Whether the member is muted in the room (their send-message is refused); no lookup in a room that never muted anyone. */
    boolean isMuted(String roomId, String userId, RoomEntry.Head head) {
        if (!head.may(RoomEntry.Head.MUTED)) {
            return false;
        }
        RoomEntry.Member member = member(roomId, userId);
        return member != null && member.isMuted();
    }

    /** update-room: by an admin or the owner; absent fields stay. Event room-updated. */
    RoomProcessor.Plan update(RoomCommand command, RoomEntry.Head head, Map<String, RoomEntry.NodeRef> nodes) {
        String roomId = command.roomId();
        RoomCommand.UpdateRoom update = (RoomCommand.UpdateRoom) command.body();
        if (!(room(roomId) instanceof RoomEntry.Room room) || !isManager(roomId, command.userId())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "only the room's admins and owner update it"));
        }
        RoomEntry.Head next = head.next(1);
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.ROOM_UPDATED, next.seq(), targets(nodes)), next.ops(), List.of(
                new RoomEntry.Write(RoomKeys.room(roomId), room.withSettings(update.name(), update.description(), update.maxUsers())),
                new RoomEntry.Write(RoomKeys.head(roomId), next)), null);
    }

    /**
     * delete-room: by the owner; or, with reason idle (only synthesised by {@link #dueExpiries}),
     * when the room's idle timer is still the one the expiry was made from (no message since).
     * Event room-deleted; the room's routing table and timer are dropped with it, so nothing of the
     * room reaches anyone afterwards.
     */
    RoomProcessor.Plan delete(RoomCommand command, RoomEntry.Head head, Map<String, RoomEntry.NodeRef> nodes) {
        String roomId = command.roomId();
        boolean idle = IDLE.equals(((RoomCommand.DeleteRoom) command.body()).reason());
        RoomEntry.Room room = room(roomId) instanceof RoomEntry.Room r ? r : null;
        boolean allowed = room != null && (idle
                ? store.get(RoomKeys.idle(roomId)) instanceof RoomEntry.IdleTimer timer
                && expiryId(timer).equals(command.eventId())
                
                : member(roomId, command.userId()) != null && RoomAccess.OWNER.equals(member(roomId, command.userId()).role()));
        if (!allowed) {
            return RoomProcessor.Plan.noWrites(idle ? Decision.rejected(ErrorCode.INVALID_MESSAGE, "the room is not idle")
                    : Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "only the room's owner deletes it"));
        }
        RoomEntry.Head next = head.next(1).with(RoomEntry.Head.DELETED);
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.ROOM_DELETED, next.seq(), targets(nodes)), next.ops(), List.of(
                new RoomEntry.Write(RoomKeys.room(roomId), room.asDeleted()),
                new RoomEntry.Write(RoomKeys.idle(roomId), null),
                new RoomEntry.Write(RoomKeys.nodes(roomId), null),
                new RoomEntry.Write(RoomKeys.head(roomId), next)), null);
    }

    /**
     * mute-member / unmute-member: by the owner, or an admin of a plain member; not of the owner,
     * not of a non-member (INVALID_MESSAGE), except the unmute of a user who left muted (drops the
     * mark their return would restore, RoomEntry.LeftMuted). Already so: ack only. Events
     * member-muted / member-unmuted.
     */
    RoomProcessor.Plan mute(RoomCommand command, RoomEntry.Head head, Map<String, RoomEntry.NodeRef> nodes) {
        String roomId = command.roomId();
        boolean mute = command.body() instanceof RoomCommand.MuteMember;
        String memberId = mute ? ((RoomCommand.MuteMember) command.body()).memberId()
                : ((RoomCommand.UnmuteMember) command.body()).memberId();
        RoomEntry.Member caller = member(roomId, command.userId());
        RoomEntry.Member target = member(roomId, memberId);
        if (!(room(roomId) instanceof RoomEntry.Room) || !isManager(roomId, command.userId())
                || target != null && RoomAccess.ADMIN.equals(caller.role()) && !RoomAccess.MEMBER.equals(target.role())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "only the room's owner, or an admin for members, mutes and unmutes"));
        }
        if (target == null && !mute && head.may(RoomEntry.Head.MUTED)
                && store.get(RoomKeys.leftMuted(roomId, memberId)) instanceof RoomEntry.LeftMuted) {
            // Left while muted: the unmute drops the mark kept for their return (an admin may: they come back a member).
            RoomEntry.Head next = head.next(1);
            return new RoomProcessor.Plan(Decision.of(Decision.Kind.MEMBER_MUTED, next.seq(), targets(nodes)), next.ops(), List.of(
                    new RoomEntry.Write(RoomKeys.leftMuted(roomId, memberId), null),
                    new RoomEntry.Write(RoomKeys.head(roomId), next)), null);
        }
        if (target == null || RoomAccess.OWNER.equals(target.role())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE,
                    target == null ? "not a member of the room" : "the owner is never muted"));
        }
        if (target.isMuted() == mute) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.MUTE_ACK, head.seq(), List.of()));
        }
        RoomEntry.Head next = mute ? head.next(1).with(RoomEntry.Head.MUTED) : head.next(1);
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.MEMBER_MUTED, next.seq(), targets(nodes)), next.ops(), List.of(
                new RoomEntry.Write(RoomKeys.member(roomId, memberId), new RoomEntry.Member(target.role(), mute ? Boolean.TRUE : null)),
                new RoomEntry.Write(RoomKeys.head(roomId), next)), null);
    }

    /**
     * open-direct: the envelope's room id must be the pair's ({@link DirectRooms#idOf}); the room
     * exists: its members get it back (DIRECT_FOUND, the owner in the decision's message); else it
     * is created as create-room {type: direct, members: [memberId]} would (DIRECT_CREATED).
     */
    RoomProcessor.Plan openDirect(RoomCommand command, RoomEntry.Head head) {
        String roomId = command.roomId();
        String other = ((RoomCommand.OpenDirect) command.body()).memberId();
        if (other.equals(command.userId()) || !DirectRooms.idOf(command.userId(), other).equals(roomId)) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE,
                    other.equals(command.userId()) ? "a direct room is with another user" : "not the direct room of this pair"));
        }
        if (room(roomId) instanceof RoomEntry.Room room) {
            if (member(roomId, command.userId()) == null) {
                return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "not a member of this direct room"));
            }
            return RoomProcessor.Plan.noWrites(new Decision(Decision.Kind.DIRECT_FOUND, head.seq(), null, List.of(), null,
                    room.ownerId(), null, null, null));
        }
        if (head.seq() > 0) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_ROOM, "room " + roomId + " already exists"));
        }
        RoomEntry.Head next = head.next(2);
        return new RoomProcessor.Plan(new Decision(Decision.Kind.DIRECT_CREATED, head.seq() + 1, null, List.of(), null,
                command.userId(), null, null, null), next.ops(), List.of(
                new RoomEntry.Write(RoomKeys.room(roomId), new RoomEntry.Room(null, null, "direct", command.userId(), null, 2)),
                new RoomEntry.Write(RoomKeys.member(roomId, command.userId()), new RoomEntry.Member(RoomAccess.OWNER)),
                new RoomEntry.Write(RoomKeys.member(roomId, other), new RoomEntry.Member(RoomAccess.MEMBER)),
                new RoomEntry.Write(RoomKeys.head(roomId), next)), null);
    }

    /**
     * The idle timer write of a create-room with expireAfterIdleMs, or of a message in such a room
     * (one whose head may have {@link RoomEntry.Head#IDLE}); none otherwise.
     */
    List<RoomEntry.Write> touch(RoomCommand command, RoomEntry.Head head) {
        if (!(command.body() instanceof RoomCommand.CreateRoom) && !head.may(RoomEntry.Head.IDLE)) {
            return List.of();
        }
        Long after = command.body() instanceof RoomCommand.CreateRoom create ? create.expireAfterIdleMs()
                : store.get(RoomKeys.idle(command.roomId())) instanceof RoomEntry.IdleTimer
                && room(command.roomId()) instanceof RoomEntry.Room room ? room.expireAfterIdleMs() : null;
        return after == null ? List.of()
                : List.of(new RoomEntry.Write(RoomKeys.idle(command.roomId()),
                new RoomEntry.IdleTimer(command.timestamp() + after, command.eventId())));
    }

    /**
     * The delete-room commands of the rooms whose idle timer is due at {@code now}: synthesised
     * (no edge node, no connection, so nothing from a client can pass for one), the owner as the
     * user, an event id derived from the timer's (a replay of the same state makes the same one).
     */
    List<RoomCommand> dueExpiries(long now) {
        List<RoomCommand> due = new ArrayList<>();
        try (KeyValueIterator<String, RoomEntry> it = store.range(RoomKeys.IDLE_PREFIX, RoomKeys.IDLE_PREFIX + "\uffff")) {
            it.forEachRemaining(entry -> {
                if (entry.value instanceof RoomEntry.IdleTimer timer && timer.dueAt() <= now) {
                    String roomId = entry.key.substring(RoomKeys.IDLE_PREFIX.length());
                    String owner = room(roomId) instanceof RoomEntry.Room room ? room.ownerId() : null;
                    if (owner != null) {
                        due.add(new RoomCommand(expiryId(timer), roomId, owner, null, 0, null, null, timer.dueAt(),
                                new RoomCommand.DeleteRoom(IDLE)));
                    }
                }
            });
        }
        return due;
    }

    private static String expiryId(RoomEntry.IdleTimer timer) {
        return EventIds.derived(timer.lastEventId(), "idle-expiry");
    }

    private boolean isManager(String roomId, String userId) {
        RoomEntry.Member member = member(roomId, userId);
        return member != null && (RoomAccess.OWNER.equals(member.role()) || RoomAccess.ADMIN.equals(member.role()));
    }

    private RoomEntry room(String roomId) {
        return store.get(RoomKeys.room(roomId));
    }

    private RoomEntry.Member member(String roomId, String userId) {
        return store.get(RoomKeys.member(roomId, userId)) instanceof RoomEntry.Member member ? member : null;
    }

    private static List<Decision.Target> targets(Map<String, RoomEntry.NodeRef> nodes) {
        List<Decision.Target> targets = new ArrayList<>(nodes.size());
        new TreeMap<>(nodes).forEach((id, node) -> targets.add(new Decision.Target(id, node.slot())));
        return List.copyOf(targets);
    }
}
