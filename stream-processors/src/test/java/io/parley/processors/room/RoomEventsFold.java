/*
 * RoomEventsFold owns the tests' replay of room-events into empty room state: the rooms-as-objects
 * entries (o| settings with member count, deleted mark and idle expiry; u| members of every room,
 * created or made by a join, with role and muted flag, ended by leave-room or member-removed; l| the
 * mute a member who left by leave-room keeps for their return; e| idle timers) and each room's last seq, folded from the public log alone, to be
 * compared with what the room stage holds (RoomStateReplayTest, RoomStateReplayIT).
 */
package io.parley.processors.room;

import io.parley.contracts.event.RoomEvent;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Replays room events (in log order per room) into the room-state entries they imply. */
final class RoomEventsFold {
    private RoomEventsFold() {}

    /** The o| / u| / l| / e| entries and "seq|<room>" -> last seq that {@code events} imply. */
    static Map<String, Object> fold(List<RoomEvent> events) {
        Map<String, Object> state = new TreeMap<>();
        for (RoomEvent event : events) {
            String room = event.roomId();
            String roomKey = RoomKeys.room(room);
            RoomEntry.Room settings = state.get(roomKey) instanceof RoomEntry.Room r ? r : null;
            state.merge("seq|" + room, event.seq(), (a, b) -> Math.max((Long) a, (Long) b));
            switch (event.body()) {
                case RoomEvent.RoomCreated created -> {
                    state.put(roomKey, new RoomEntry.Room(created.name(), created.description(), created.roomType(),
                            event.userId(), created.maxUsers(), 1, created.expireAfterIdleMs(), null));
                    state.put(RoomKeys.member(room, event.userId()), new RoomEntry.Member(RoomAccess.OWNER));
                    if (created.expireAfterIdleMs() != null) {
                        state.put(RoomKeys.idle(room), new RoomEntry.IdleTimer(event.timestamp() + created.expireAfterIdleMs(),
                                event.eventId()));
                    }
                }
                case RoomEvent.MemberAdded added -> {
                    state.put(RoomKeys.member(room, added.memberId()), newMember(state, room, added.memberId(), added.role()));
                    state.put(roomKey, settings.withMembers(settings.members() + 1));
                }
                case RoomEvent.MemberJoined joined -> { // membership by user: every room's members have a u| entry
                    if (!state.containsKey(RoomKeys.member(room, event.userId()))) {
                        state.put(RoomKeys.member(room, event.userId()), newMember(state, room, event.userId(), RoomAccess.MEMBER));
                        if (settings != null) {
                            state.put(roomKey, settings.withMembers(settings.members() + 1));
                        }
                    }
                }
                case RoomEvent.MemberLeft left -> {
                    if ("client".equals(left.reason())) {
                        boolean muted = state.get(RoomKeys.member(room, event.userId())) instanceof RoomEntry.Member m && m.isMuted();
                        if (endMembership(state, room, settings, event.userId()) && muted) { // kept for their return
                            state.put(RoomKeys.leftMuted(room, event.userId()), new RoomEntry.LeftMuted(event.seq()));
                        }
                    }
                }
                case RoomEvent.MemberRemoved removed -> endMembership(state, room, settings, removed.memberId());
                case RoomEvent.RoleSet set -> state.put(RoomKeys.member(room, set.memberId()),
                        new RoomEntry.Member(set.role(), ((RoomEntry.Member) state.get(RoomKeys.member(room, set.memberId()))).muted()));
                case RoomEvent.MemberMuted muted -> state.put(RoomKeys.member(room, muted.memberId()),
                        new RoomEntry.Member(((RoomEntry.Member) state.get(RoomKeys.member(room, muted.memberId()))).role(), Boolean.TRUE));
                case RoomEvent.MemberUnmuted unmuted -> {
                    if (state.get(RoomKeys.member(room, unmuted.memberId())) instanceof RoomEntry.Member member) {
                        state.put(RoomKeys.member(room, unmuted.memberId()), new RoomEntry.Member(member.role()));
                    } else {
                        state.remove(RoomKeys.leftMuted(room, unmuted.memberId())); // left muted: the mark goes
                    }
                }
                case RoomEvent.RoomUpdated updated -> state.put(roomKey,
                        settings.withSettings(updated.name(), updated.description(), updated.maxUsers()));
                case RoomEvent.RoomDeleted deleted -> {
                    state.put(roomKey, settings.asDeleted());
                    state.remove(RoomKeys.idle(room));
                }
                case RoomEvent.MessageSent sent -> {
                    if (settings != null && settings.expireAfterIdleMs() != null) {
                        state.put(RoomKeys.idle(room), new RoomEntry.IdleTimer(event.timestamp() + settings.expireAfterIdleMs(),
                                event.eventId()));
                    }
                }
                case RoomEvent.ReadPosition read -> { }
            }
        }
        return state;
    }

    /** leave-room / remove-member: the u| entry goes with its muted flag (a created room's owner stays), and the count; whether it went. */
    private static boolean endMembership(Map<String, Object> state, String room, RoomEntry.Room settings, String userId) {
        if (state.get(RoomKeys.member(room, userId)) instanceof RoomEntry.Member member
                && !(settings != null && RoomAccess.OWNER.equals(member.role()))) {
            state.remove(RoomKeys.member(room, userId));
            if (settings != null) {
                state.put(RoomKeys.room(room), settings.withMembers(Math.max(0, settings.members() - 1)));
            }
            return true;
        }
        return false;
    }

    /** A new member's entry: muted when they left muted (the l| mark, which goes). */
    private static RoomEntry.Member newMember(Map<String, Object> state, String room, String userId, String role) {
        return state.remove(RoomKeys.leftMuted(room, userId)) instanceof RoomEntry.LeftMuted
                ? new RoomEntry.Member(role, Boolean.TRUE) : new RoomEntry.Member(role);
    }

    /** The same view of a room stage's store: its o| / u| / l| / e| entries and each room's head seq. */
    static Map<String, Object> of(ReadOnlyKeyValueStore<String, RoomEntry> store) {
        Map<String, Object> state = new TreeMap<>();
        try (KeyValueIterator<String, RoomEntry> it = store.all()) {
            it.forEachRemaining(entry -> {
                if (entry.key.startsWith("o|") || entry.key.startsWith("u|") || entry.key.startsWith("l|")
                        || entry.key.startsWith(RoomKeys.IDLE_PREFIX)) {
                    state.put(entry.key, entry.value);
                } else if (entry.key.startsWith("h|") && entry.value instanceof RoomEntry.Head head && head.seq() > 0) {
                    state.put("seq|" + entry.key.substring(2), head.seq());
                }
            });
        }
        return state;
    }
}
