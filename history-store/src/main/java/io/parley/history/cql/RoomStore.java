// Owns the CQL of rooms as objects in the history store: the writes of the room-lifecycle events
// beyond MessageStore's (room-updated, room-deleted, member-muted / -unmuted, the by-user mirror
// user_rooms, the public directory) and the reads of the rooms API (a room, its members, my rooms,
// the directory).
package io.parley.history.cql;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.parley.contracts.event.RoomEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Every write is {@code USING TIMESTAMP seq} (the event's), like MessageStore's: the room's latest
 * event wins per column in any order and on replay, so rebuilding from room-events gives the same
 * rows. Reads use LOCAL_QUORUM.
 */
public final class RoomStore {
    /** Shards of the public directory. Part of the stored layout: changing it needs a rebuild. */
    public static final int DIRECTORY_SHARDS = 16;
    /** The most members {@link #members} returns (a room's partition is read whole up to this). */
    public static final int MAX_MEMBERS = 10_000;

    /** A room row: created by create-room / open-direct (a room made by a join has none). */
    public record RoomRow(String roomId, String name, String description, String type, String ownerId, Integer maxUsers,
                          Long expireAfterIdleMs, boolean deleted) {}

    /** A member of a room: role (null: a member by joining), muted. */
    public record MemberRow(String userId, String role, boolean muted) {}

    /** One of a user's rooms: the room id and the user's role there (null: by joining). */
    public record UserRoom(String roomId, String role) {}

    private final CqlSession session;
    private final PreparedStatement userMember;
    private final PreparedStatement userMemberRole;
    private final PreparedStatement userRole;
    private final PreparedStatement roomExpiry;
    private final PreparedStatement roomName;
    private final PreparedStatement roomDescription;
    private final PreparedStatement roomMaxUsers;
    private final PreparedStatement roomDeleted;
    private final PreparedStatement memberMuted;
    private final PreparedStatement directoryInsert;
    private final PreparedStatement directoryDelete;
    private final PreparedStatement selectRoom;
    private final PreparedStatement selectMembers;
    private final PreparedStatement selectUserRooms;
    private final PreparedStatement selectDirectory;

    RoomStore(CqlSession session, String keyspace) {
        this.session = session;
        String ks = keyspace + ".";
        this.userMember = session.prepare("UPDATE " + ks + "user_rooms USING TIMESTAMP ? SET member = ? WHERE user_id = ? AND room_id = ?");
        this.userMemberRole = session.prepare("UPDATE " + ks + "user_rooms USING TIMESTAMP ? SET member = ?, role = ?"
                + " WHERE user_id = ? AND room_id = ?");
        this.userRole = session.prepare("UPDATE " + ks + "user_rooms USING TIMESTAMP ? SET role = ? WHERE user_id = ? AND room_id = ?");
        this.roomExpiry = session.prepare("UPDATE " + ks + "rooms USING TIMESTAMP ? SET expire_after_idle_ms = ? WHERE room_id = ?");
        this.roomName = session.prepare("UPDATE " + ks + "rooms USING TIMESTAMP ? SET name = ? WHERE room_id = ?");
        this.roomDescription = session.prepare("UPDATE " + ks + "rooms USING TIMESTAMP ? SET description = ? WHERE room_id = ?");
        this.roomMaxUsers = session.prepare("UPDATE " + ks + "rooms USING TIMESTAMP ? SET max_users = ? WHERE room_id = ?");
        this.roomDeleted = session.prepare("UPDATE " + ks + "rooms USING TIMESTAMP ? SET deleted = ? WHERE room_id = ?");
        this.memberMuted = session.prepare("UPDATE " + ks + "room_members USING TIMESTAMP ? SET muted = ? WHERE room_id = ? AND user_id = ?");
        this.directoryInsert = session.prepare("INSERT INTO " + ks + "room_directory (shard, room_id) VALUES (?, ?) USING TIMESTAMP ?");
        this.directoryDelete = session.prepare("DELETE FROM " + ks + "room_directory USING TIMESTAMP ? WHERE shard = ? AND room_id = ?");
        this.selectRoom = session.prepare("SELECT room_id, name, description, room_type, owner_id, max_users, expire_after_idle_ms, deleted"
                + " FROM " + ks + "rooms WHERE room_id = ?");
        this.selectMembers = session.prepare("SELECT user_id, member, role, muted FROM " + ks + "room_members WHERE room_id = ?");
        this.selectUserRooms = session.prepare("SELECT room_id, member, role FROM " + ks + "user_rooms"
                + " WHERE user_id = ? AND room_id > ? LIMIT ?");
        this.selectDirectory = session.prepare("SELECT room_id FROM " + ks + "room_directory WHERE shard = ? AND room_id > ? LIMIT ?");
    }

    /** The directory shard of a room: a pure function of its id (String.hashCode is specified). */
    public static int shardOf(String roomId) {
        return Math.floorMod(roomId.hashCode(), DIRECTORY_SHARDS);
    }

    /**
     * The writes of one event beyond MessageStore's: {@code membership} is what the event says of
     * {@code memberId}'s membership (MessageStore.membership), {@code role} the role it gives.
     */
    List<CompletableFuture<?>> write(RoomEvent event, Boolean membership, String memberId, String role, BoundedCql cql) {
        List<CompletableFuture<?>> writes = new ArrayList<>(2);
        long ts = event.seq();
        String roomId = event.roomId();
        if (membership != null && memberId != null) {
            writes.add(run(cql, role == null ? userMember.bind(ts, membership, memberId, roomId)
                    : userMemberRole.bind(ts, membership, role, memberId, roomId)));
            if (event.body() instanceof RoomEvent.MemberRemoved) {
                // Removed: no longer muted (the room stage drops the member entry with its flag).
                writes.add(run(cql, memberMuted.bind(ts, false, roomId, memberId)));
            }
        }
        switch (event.body()) {
            case RoomEvent.RoleSet set when set.memberId() != null -> writes.add(run(cql, userRole.bind(ts, set.role(), set.memberId(), roomId)));
            case RoomEvent.RoomCreated created -> {
                if (created.expireAfterIdleMs() != null) {
                    writes.add(run(cql, roomExpiry.bind(ts, created.expireAfterIdleMs(), roomId)));
                }
                if ("public".equals(created.roomType())) {
                    writes.add(run(cql, directoryInsert.bind(shardOf(roomId), roomId, ts)));
                }
            }
            case RoomEvent.RoomUpdated updated -> {
                if (updated.name() != null) {
                    writes.add(run(cql, roomName.bind(ts, updated.name(), roomId)));
                }
                if (updated.description() != null) {
                    writes.add(run(cql, roomDescription.bind(ts, updated.description(), roomId)));
                }
                if (updated.maxUsers() != null) {
                    writes.add(run(cql, roomMaxUsers.bind(ts, updated.maxUsers(), roomId)));
                }
            }
            case RoomEvent.RoomDeleted deleted -> {
                writes.add(run(cql, roomDeleted.bind(ts, true, roomId)));
                writes.add(run(cql, directoryDelete.bind(ts, shardOf(roomId), roomId)));
            }
            case RoomEvent.MemberMuted muted when muted.memberId() != null ->
                    writes.add(run(cql, memberMuted.bind(ts, true, roomId, muted.memberId())));
            case RoomEvent.MemberUnmuted unmuted when unmuted.memberId() != null ->
                    writes.add(run(cql, memberMuted.bind(ts, false, roomId, unmuted.memberId())));
            default -> { }
        }
        return writes;
    }

    /** The room's row, or null (never created: a room made by a join, or no room at all). */
    public RoomRow room(String roomId) {
        Row row = session.execute(quorum(selectRoom.bind(roomId))).one();
        return row == null ? null : new RoomRow(row.getString("room_id"), row.getString("name"), row.getString("description"),
                row.getString("room_type"), row.getString("owner_id"),
                row.isNull("max_users") ? null : row.getInt("max_users"),
                row.isNull("expire_after_idle_ms") ? null : row.getLong("expire_after_idle_ms"),
                !row.isNull("deleted") && row.getBoolean("deleted"));
    }

    /** The room's current members (by user id), at most {@link #MAX_MEMBERS}. */
    public List<MemberRow> members(String roomId) {
        List<MemberRow> members = new ArrayList<>();
        for (Row row : session.execute(quorum(selectMembers.bind(roomId)))) {
            if (!row.isNull("member") && row.getBoolean("member")) {
                members.add(new MemberRow(row.getString("user_id"), row.getString("role"),
                        !row.isNull("muted") && row.getBoolean("muted")));
                if (members.size() >= MAX_MEMBERS) {
                    break;
                }
            }
        }
        return members;
    }

    /**
     * Up to {@code limit} of the user's rooms (memberships in force) after room id {@code after}
     * ("" from the start), by room id; {@code more}: whether another page may follow.
     */
    public record UserRoomsPage(List<UserRoom> rooms, boolean more) {}

    public UserRoomsPage userRooms(String userId, String after, int limit) {
        List<UserRoom> rooms = new ArrayList<>(limit);
        String cursor = after;
        while (rooms.size() < limit) {
            int fetched = 0;
            for (Row row : session.execute(quorum(selectUserRooms.bind(userId, cursor, limit)))) {
                fetched++;
                cursor = row.getString("room_id");
                if (!row.isNull("member") && row.getBoolean("member")) {
                    rooms.add(new UserRoom(cursor, row.getString("role")));
                    if (rooms.size() == limit) {
                        return new UserRoomsPage(rooms, true);
                    }
                }
            }
            if (fetched < limit) {
                return new UserRoomsPage(rooms, false);
            }
        }
        return new UserRoomsPage(rooms, true);
    }

    /** A page of the public directory: room ids, and the cursor after them (null: the end). */
    public record DirectoryPage(List<String> roomIds, String next) {}

    /** Up to {@code limit} public room ids from {@code (shard, after)} on, shard by shard. */
    public DirectoryPage directory(int shard, String after, int limit) {
        List<String> ids = new ArrayList<>(limit);
        String cursor = after;
        for (int s = shard; s < DIRECTORY_SHARDS; s++) {
            for (Row row : session.execute(quorum(selectDirectory.bind(s, cursor, limit - ids.size())))) {
                ids.add(row.getString("room_id"));
            }
            if (ids.size() == limit) {
                return new DirectoryPage(ids, s + ":" + ids.getLast());
            }
            cursor = "";
        }
        return new DirectoryPage(ids, null);
    }

    private static CompletableFuture<?> run(BoundedCql cql, BoundStatement statement) {
        return cql.execute(quorum(statement));
    }

    private static BoundStatement quorum(BoundStatement statement) {
        return statement.setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM);
    }
}
