// Owns the read side of users' read positions for the API (the writes are MessageStore's).
package io.parley.history.cql;

import java.util.Map;

/** Read positions per (room, user): the highest seq the user marked read; 0 when none. */
public interface ReadPositions {
    ReadPositions NONE = new ReadPositions() {
        @Override
        public long of(String roomId, String userId) {
            return 0;
        }

        @Override
        public Map<String, Long> all(String roomId) {
            return Map.of();
        }
    };

    /** The user's read position in the room, 0 if none. */
    long of(String roomId, String userId);

    /** Every user's read position in the room, by user id (one partition read). */
    Map<String, Long> all(String roomId);
}
