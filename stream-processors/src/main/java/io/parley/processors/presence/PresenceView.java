/*
 * PresenceView owns the seam between the presence stage and its Redis read view: what the stage
 * writes (a user's presence, a room's online members) and the marker that tells whether the view
 * of a partition is still there (absent after FLUSHALL or on a fresh Redis: rewrite it). Every
 * write is fire-and-forget: the view is rebuildable, the stream thread never waits on Redis.
 */
package io.parley.processors.presence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

public interface PresenceView extends AutoCloseable {

    void presence(String userId, String status, String customStatus, long lastSeen);

    void joined(String roomId, String userId);

    void left(String roomId, String userId);

    /** Whether the marker of {@code partition}'s view exists (completes off the stream thread). */
    CompletionStage<Boolean> hasMarker(int partition);

    /** Sets the marker once the partition's view is completely written. */
    void setMarker(int partition);

    @Override
    default void close() {}

    /** No view (tests, or no Redis configured). */
    PresenceView NONE = new PresenceView() {
        public void presence(String userId, String status, String customStatus, long lastSeen) {}
        public void joined(String roomId, String userId) {}
        public void left(String roomId, String userId) {}
        public CompletionStage<Boolean> hasMarker(int partition) { return CompletableFuture.completedFuture(true); }
        public void setMarker(int partition) {}
    };
}
