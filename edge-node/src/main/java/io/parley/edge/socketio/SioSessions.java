/*
 * SioSessions owns where resumable Socket.IO sessions are kept for connection-state recovery: per
 * private session id (pid), the user and the rooms of the socket with the last seq the socket was
 * given of each. Redis in production (RedisSioSessions, with a TTL); nothing when there is no
 * Redis (every reconnect is then a new session).
 */
package io.parley.edge.socketio;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Thread-safe and non-blocking: loads complete later, saves and deletes are fire-and-forget. */
public interface SioSessions {

    /** A resumable session: whose it is and, per room, the last seq its socket was given. */
    record Saved(String userId, Map<String, Long> rooms) {}

    /** The session of {@code pid}, or null when there is none (expired, deleted, never saved, unreadable). */
    CompletionStage<Saved> load(String pid);

    /** Keeps {@code session} under {@code pid} for {@code ttlMs}, replacing what was there. */
    void save(String pid, Saved session, long ttlMs);

    /** Forgets {@code pid} (the client disconnected on purpose). */
    void delete(String pid);

    /** No store: nothing is kept, nothing is found. */
    SioSessions NONE = new SioSessions() {
        @Override
        public CompletionStage<Saved> load(String pid) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void save(String pid, Saved session, long ttlMs) { }

        @Override
        public void delete(String pid) { }
    };
}
