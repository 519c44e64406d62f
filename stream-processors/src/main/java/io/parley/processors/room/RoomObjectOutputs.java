/*
 * RoomObjectOutputs owns the output records of the decisions about rooms as objects (create-room,
 * add-member, set-role, update / delete, mute / unmute, open-direct), in Decision's order: the reply
 * first, then the room events, the deliveries to the room's nodes, then an added member's
 * room-joined. A pure function of (command, decision), like every decision's outputs.
 */
package io.parley.processors.room;

import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.wire.Protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class RoomObjectOutputs {
    private RoomObjectOutputs() {}

    /** Adds to {@code out} the outputs of {@code d}, one of the room-object kinds, for {@code command}. */
    static void add(Decision d, RoomCommand command, List<Object> out) {
        String roomId = command.roomId();
        switch (d.kind()) {
            case CREATED -> {
                RoomCommand.CreateRoom create = (RoomCommand.CreateRoom) command.body();
                List<String> members = Decision.initialMembers(command);
                Map<String, Object> room = new LinkedHashMap<>();
                room.put("roomId", roomId);
                room.put("name", create.name() == null ? roomId : create.name());
                room.put("description", create.description());
                room.put("type", create.roomType());
                room.put("ownerId", command.userId());
                room.put("maxUsers", create.maxUsers());
                List<String> all = new ArrayList<>(members.size() + 1);
                all.add(command.userId());
                all.addAll(members);
                room.put("members", all);
                room.put("seq", d.seq() + members.size());
                out.add(Decision.reply(command, room));
                out.add(Decision.event(command, d.seq(), new RoomEvent.RoomCreated(create.name(), create.description(), create.roomType(),
                        create.maxUsers(), create.expireAfterIdleMs())));
                for (int i = 0; i < members.size(); i++) {
                    out.add(Decision.event(command, d.seq() + 1 + i, new RoomEvent.MemberAdded(members.get(i), RoomAccess.MEMBER)));
                }
                for (int i = 0; i < members.size(); i++) {
                    out.add(Decision.added(command, members.get(i), d.seq() + 1 + i));
                }
            }
            case MEMBER_ADDED -> {
                String memberId = ((RoomCommand.AddMember) command.body()).memberId();
                Protocol.MemberAdded added = new Protocol.MemberAdded(roomId, memberId, RoomAccess.MEMBER, command.userId(), d.seq());
                out.add(Decision.reply(command, added));
                out.add(d.event(command, new RoomEvent.MemberAdded(memberId, RoomAccess.MEMBER)));
                d.toRoom(out, command.timestamp(), roomId, Protocol.MEMBER_ADDED, added);
                out.add(Decision.added(command, memberId, d.seq()));
            }
            case MEMBER_ACK -> out.add(Decision.reply(command, new Protocol.MemberAdded(roomId,
                    ((RoomCommand.AddMember) command.body()).memberId(), RoomAccess.MEMBER, command.userId(), d.seq())));
            case ROLE_SET -> {
                RoomCommand.SetRole set = (RoomCommand.SetRole) command.body();
                Protocol.RoleSet changed = new Protocol.RoleSet(roomId, set.memberId(), set.role(), command.userId(), d.seq());
                out.add(Decision.reply(command, changed));
                out.add(d.event(command, new RoomEvent.RoleSet(set.memberId(), set.role())));
                d.toRoom(out, command.timestamp(), roomId, Protocol.ROLE_SET, changed);
            }
            case ROLE_ACK -> {
                RoomCommand.SetRole set = (RoomCommand.SetRole) command.body();
                out.add(Decision.reply(command, new Protocol.RoleSet(roomId, set.memberId(), set.role(), command.userId(), d.seq())));
            }
            case ROOM_UPDATED -> {
                RoomCommand.UpdateRoom update = (RoomCommand.UpdateRoom) command.body();
                Protocol.RoomUpdated updated = new Protocol.RoomUpdated(roomId, update.name(), update.description(),
                        update.maxUsers(), command.userId(), d.seq());
                out.add(Decision.reply(command, updated));
                out.add(d.event(command, new RoomEvent.RoomUpdated(update.name(), update.description(), update.maxUsers())));
                d.toRoom(out, command.timestamp(), roomId, Protocol.ROOM_UPDATED, updated);
            }
            case ROOM_DELETED -> {
                String reason = ((RoomCommand.DeleteRoom) command.body()).reason() == null ? RoomLifecycle.OWNER_REASON
                        : RoomLifecycle.IDLE;
                Protocol.RoomDeleted deleted = new Protocol.RoomDeleted(roomId, command.userId(), reason, d.seq());
                if (command.connectionId() != null) {
                    out.add(Decision.reply(command, deleted));
                }
                out.add(d.event(command, new RoomEvent.RoomDeleted(reason)));
                d.toRoom(out, command.timestamp(), roomId, Protocol.ROOM_DELETED, deleted);
            }
            case MEMBER_MUTED, MUTE_ACK -> {
                boolean mute = command.body() instanceof RoomCommand.MuteMember;
                String memberId = mute ? ((RoomCommand.MuteMember) command.body()).memberId()
                        : ((RoomCommand.UnmuteMember) command.body()).memberId();
                Protocol.MemberMute changed = new Protocol.MemberMute(roomId, memberId, mute, command.userId(), d.seq());
                out.add(Decision.reply(command, changed));
                if (d.kind() == Decision.Kind.MEMBER_MUTED) {
                    out.add(d.event(command, mute ? new RoomEvent.MemberMuted(memberId) : new RoomEvent.MemberUnmuted(memberId)));
                    d.toRoom(out, command.timestamp(), roomId, mute ? Protocol.MEMBER_MUTED : Protocol.MEMBER_UNMUTED, changed);
                }
            }
            case DIRECT_CREATED, DIRECT_FOUND -> {
                String other = ((RoomCommand.OpenDirect) command.body()).memberId();
                String owner = d.message();
                long last = d.kind() == Decision.Kind.DIRECT_CREATED ? d.seq() + 1 : d.seq();
                Map<String, Object> room = new LinkedHashMap<>();
                room.put("roomId", roomId);
                room.put("name", roomId);
                room.put("description", null);
                room.put("type", "direct");
                room.put("ownerId", owner);
                room.put("maxUsers", null);
                room.put("members", List.of(owner, owner.equals(command.userId()) ? other : command.userId()));
                room.put("seq", last);
                out.add(Decision.reply(command, room));
                if (d.kind() == Decision.Kind.DIRECT_CREATED) {
                    out.add(Decision.event(command, d.seq(), new RoomEvent.RoomCreated(null, null, "direct", null)));
                    out.add(Decision.event(command, d.seq() + 1, new RoomEvent.MemberAdded(other, RoomAccess.MEMBER)));
                    out.add(Decision.added(command, other, d.seq() + 1));
                }
            }
            default -> throw new IllegalArgumentException("not a room-object decision: " + d.kind());
        }
    }
}
