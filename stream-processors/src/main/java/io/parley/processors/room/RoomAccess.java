/*
 * RoomAccess owns rooms as objects in the room stage: create-room, add-member, and who may join a
 * room, decided from the room's own state (its o| settings and u| member entries), never from a
 * client field. It plans decisions; RoomProcessor stores and applies them (crash safety there).
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.Limits;
import io.parley.contracts.event.RoomCommand;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rooms made by {@code create-room} have a {@link RoomEntry.Room} and one {@link RoomEntry.Member}
 * per member (owner, admin, member). Rules: join a public room: anyone (a newcomer becomes a
 * member), unless it has maxUsers members (ROOM_FULL); private or direct: members only;
 * add-member: admins and the owner, within maxUsers; set-role (admin, member): the owner only;
 * leave-room ends a membership (not the owner's; a muted member comes back muted, see newMember).
 * A room made by a plain join (no settings: every room of before, and the seeds' clients, which
 * never create rooms) stays public, open to anyone, as it always was. Refusals are
 * {@code AUTHORIZATION_FAILED} and change nothing.
 */
final class RoomAccess {
    static final String OWNER = "owner";
    static final String ADMIN = "admin";
    static final String MEMBER = "member";

    private final KeyValueStore<String, RoomEntry> store;

    RoomAccess(KeyValueStore<String, RoomEntry> store) {
        this.store = store;
    }

    /** A refusal of a create-room / add-member that depends on the command alone, or null. */
    static String problemOf(RoomCommand.Body body) {
        if (body instanceof RoomCommand.CreateRoom create) {
            if (create.roomType() == null || !Limits.ROOM_TYPES.contains(create.roomType())) {
                return "type must be one of public, private, direct";
            }
            if (create.name() != null && create.name().codePointCount(0, create.name().length()) > Limits.MAX_ROOM_NAME
                    || create.description() != null
                    && create.description().codePointCount(0, create.description().length()) > Limits.MAX_ROOM_DESCRIPTION) {
                return "name or description too long";
            }
            if (create.maxUsers() != null && create.maxUsers() < 1) {
                return "maxUsers must be a positive integer";
            }
            if (create.members() != null && (create.members().size() > Limits.MAX_INITIAL_MEMBERS
                    || create.members().stream().anyMatch(m -> m == null || m.isBlank()))) {
                return "members must be at most " + Limits.MAX_INITIAL_MEMBERS + " user ids";
            }
        }
        if (body instanceof RoomCommand.AddMember add && (add.memberId() == null || add.memberId().isBlank())) {
            return "memberId is required";
        }
        if (body instanceof RoomCommand.SetRole set && (set.memberId() == null || set.memberId().isBlank()
                || !(ADMIN.equals(set.role()) || MEMBER.equals(set.role())))) {
            return "memberId and a role (admin or member) are required";
        }
        return RoomLifecycle.problemOf(body);
    }

    /**
     * Whether the user's first connection may join: {@code refusal} non-null if not; else the
     * writes the join adds (a newcomer to a created public room becomes a member, counted against
     * maxUsers). Rooms made by a join: always, nothing to write.
     */
    record Admission(Decision refusal, List<RoomEntry.Write> writes) {}

    Admission admit(String roomId, String userId, RoomEntry.Head head) {
        if (!(store.get(RoomKeys.room(roomId)) instanceof RoomEntry.Room room) || member(roomId, userId) != null) {
            return new Admission(null, List.of());
        }
        if (!"public".equals(room.roomType())) {
            return new Admission(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "this " + room.roomType() + " room is for its members only"), List.of());
        }
        if (room.isFull()) {
            return new Admission(Decision.rejected(ErrorCode.ROOM_FULL, "the room has its " + room.maxUsers() + " members"), List.of());
        }
        List<RoomEntry.Write> writes = new ArrayList<>(newMember(roomId, userId, head));
        writes.add(new RoomEntry.Write(RoomKeys.room(roomId), room.withMembers(room.members() + 1)));
        return new Admission(null, List.copyOf(writes));
    }

    /**
     * The entry of a new (plain) member of a created room: muted, and the mark dropped, when they
     * left it by leave-room while muted ({@link RoomEntry.LeftMuted}); the mark is looked up only
     * in a room whose head says someone was muted there.
     */
    List<RoomEntry.Write> newMember(String roomId, String userId, RoomEntry.Head head) {
        String markKey = RoomKeys.leftMuted(roomId, userId);
        if (head.may(RoomEntry.Head.MUTED) && store.get(markKey) instanceof RoomEntry.LeftMuted) {
            return List.of(new RoomEntry.Write(RoomKeys.member(roomId, userId), new RoomEntry.Member(MEMBER, Boolean.TRUE)),
                    new RoomEntry.Write(markKey, null));
        }
        return List.of(new RoomEntry.Write(RoomKeys.member(roomId, userId), new RoomEntry.Member(MEMBER)));
    }

    /**
     * The writes of a user's leave-room (their last connection, reason client): the membership of
     * a created room ends (not the owner's: an owner stays), freeing a place. Nothing otherwise.
     */
    List<RoomEntry.Write> leave(String roomId, String userId) {
        RoomEntry.Member member = member(roomId, userId);
        if (!(store.get(RoomKeys.room(roomId)) instanceof RoomEntry.Room room) || member == null || OWNER.equals(member.role())) {
            return List.of();
        }
        return List.of(new RoomEntry.Write(RoomKeys.member(roomId, userId), null),
                new RoomEntry.Write(RoomKeys.room(roomId), room.withMembers(Math.max(0, room.members() - 1))));
    }

    /**
     * create-room: the room must not exist (no settings and no event yet); the creator becomes its
     * owner, the named users its members (a direct room: exactly one other user). Events: one
     * RoomCreated, then one MemberAdded per member, each with the room's next seq.
     */
    RoomProcessor.Plan create(RoomCommand command, RoomEntry.Head head) {
        RoomCommand.CreateRoom create = (RoomCommand.CreateRoom) command.body();
        String roomId = command.roomId();
        if (store.get(RoomKeys.room(roomId)) != null || head.seq() > 0) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_ROOM, "room " + roomId + " already exists"));
        }
        List<String> members = Decision.initialMembers(command);
        if ("direct".equals(create.roomType()) && members.size() != 1) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE,
                    "a direct room has exactly one member besides its creator"));
        }
        if (create.maxUsers() != null && members.size() + 1 > create.maxUsers()) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.ROOM_FULL,
                    "more members than maxUsers " + create.maxUsers()));
        }
        RoomEntry.Head next = create.expireAfterIdleMs() == null ? head.next(1 + members.size())
                : head.next(1 + members.size()).with(RoomEntry.Head.IDLE);
        List<RoomEntry.Write> writes = new ArrayList<>(members.size() + 3);
        writes.add(new RoomEntry.Write(RoomKeys.room(roomId), new RoomEntry.Room(create.name(), create.description(),
                create.roomType(), command.userId(), create.maxUsers(), 1 + members.size(), create.expireAfterIdleMs(), null)));
        if (create.expireAfterIdleMs() != null) { // the idle timer (RoomLifecycle), moved by each message
            writes.add(new RoomEntry.Write(RoomKeys.idle(roomId),
                    new RoomEntry.IdleTimer(command.timestamp() + create.expireAfterIdleMs(), command.eventId())));
        }
        writes.add(new RoomEntry.Write(RoomKeys.member(roomId, command.userId()), new RoomEntry.Member(OWNER)));
        for (String member : members) {
            writes.add(new RoomEntry.Write(RoomKeys.member(roomId, member), new RoomEntry.Member(MEMBER)));
        }
        writes.add(new RoomEntry.Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.CREATED, head.seq() + 1, List.of()), next.ops(), writes, null);
    }

    /** add-member: by an admin or the owner of a created room; a member already: ack, nothing changes. */
    RoomProcessor.Plan add(RoomCommand command, RoomEntry.Head head, Map<String, RoomEntry.NodeRef> nodes) {
        String roomId = command.roomId();
        String memberId = ((RoomCommand.AddMember) command.body()).memberId();
        if (!(store.get(RoomKeys.room(roomId)) instanceof RoomEntry.Room room)) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "room " + roomId + " has no members to manage (it was not made by create-room)"));
        }
        RoomEntry.Member caller = member(roomId, command.userId());
        if (caller == null || !(OWNER.equals(caller.role()) || ADMIN.equals(caller.role())) || "direct".equals(room.roomType())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED,
                    "direct".equals(room.roomType()) ? "a direct room has its two users only"
                            : "only the room's admins and owner add members"));
        }
        if (member(roomId, memberId) != null) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.MEMBER_ACK, head.seq(), List.of()));
        }
        if (room.isFull()) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.ROOM_FULL, "the room has its " + room.maxUsers() + " members"));
        }
        RoomEntry.Head next = head.next(1);
        List<Decision.Target> targets = new ArrayList<>(nodes.size());
        new TreeMap<>(nodes).forEach((id, node) -> targets.add(new Decision.Target(id, node.slot())));
        List<RoomEntry.Write> writes = new ArrayList<>(newMember(roomId, memberId, head));
        writes.add(new RoomEntry.Write(RoomKeys.room(roomId), room.withMembers(room.members() + 1)));
        writes.add(new RoomEntry.Write(RoomKeys.head(roomId), next));
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.MEMBER_ADDED, next.seq(), List.copyOf(targets)), next.ops(),
                List.copyOf(writes), null);
    }

    /** set-role: by the owner only, of a member other than the owner; the same role again: ack, nothing changes. */
    RoomProcessor.Plan setRole(RoomCommand command, RoomEntry.Head head, Map<String, RoomEntry.NodeRef> nodes) {
        String roomId = command.roomId();
        RoomCommand.SetRole set = (RoomCommand.SetRole) command.body();
        RoomEntry.Member caller = member(roomId, command.userId());
        if (!(store.get(RoomKeys.room(roomId)) instanceof RoomEntry.Room) || caller == null || !OWNER.equals(caller.role())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.AUTHORIZATION_FAILED, "only the room's owner sets roles"));
        }
        RoomEntry.Member target = member(roomId, set.memberId());
        if (target == null || OWNER.equals(target.role())) {
            return RoomProcessor.Plan.noWrites(Decision.rejected(ErrorCode.INVALID_MESSAGE,
                    target == null ? "not a member of the room" : "the owner's role does not change"));
        }
        if (target.role().equals(set.role())) {
            return RoomProcessor.Plan.noWrites(Decision.of(Decision.Kind.ROLE_ACK, head.seq(), List.of()));
        }
        RoomEntry.Head next = head.next(1);
        List<Decision.Target> targets = new ArrayList<>(nodes.size());
        new TreeMap<>(nodes).forEach((id, node) -> targets.add(new Decision.Target(id, node.slot())));
        return new RoomProcessor.Plan(Decision.of(Decision.Kind.ROLE_SET, next.seq(), List.copyOf(targets)), next.ops(),
                List.of(new RoomEntry.Write(RoomKeys.member(roomId, set.memberId()), new RoomEntry.Member(set.role(), target.muted())),
                        new RoomEntry.Write(RoomKeys.head(roomId), next)), null);
    }

    private RoomEntry.Member member(String roomId, String userId) {
        return store.get(RoomKeys.member(roomId, userId)) instanceof RoomEntry.Member member ? member : null;
    }
}
