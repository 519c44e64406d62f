// Owns the read side of room membership for the API's authorization (the writes are MessageStore's).
package io.parley.history.cql;

/**
 * Who may read a room's history and read positions: its members, as materialised from
 * {@code room-events} (member-joined makes a member, leave-room's member-left ends it).
 */
public interface Memberships {
    /** True if the user is a member of the room as of the events stored so far. */
    boolean isMember(String roomId, String userId);
}
