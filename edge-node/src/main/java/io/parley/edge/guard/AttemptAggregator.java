/*
 * AttemptAggregator owns how this node reports a user's message attempts to user-events (for the
 * processors' rate limit across nodes, and presence activity): at most one record per user per
 * window. The first attempt of a user with no record in the last window goes out at once; the
 * following ones within the window are counted and go out as one record (count, the last room,
 * the last connection and time) when the window ends, which starts the next window. A user's
 * pending count also goes out when one of the user's connections closes. Window 0: one record per
 * send. The map holds only users who sent within the last window and is bounded: past its bound an
 * attempt goes out on its own at once.
 */
package io.parley.edge.guard;

import java.util.concurrent.ConcurrentHashMap;

/** Thread-safe: reader threads count attempts, the node's timer ends windows, closes flush. */
public final class AttemptAggregator {
    /** Users with an open window, at most (about the connections of a node). */
    public static final int DEFAULT_MAX_USERS = 100_000;

    /** Where a record goes (the CommandService publishes it to user-events); never blocks. */
    @FunctionalInterface
    public interface Sink {
        void publish(String userId, String connectionId, long timestamp, String roomId, int count);
    }

    /** A user's open window: until when, and the attempts counted in it since its last record. */
    private static final class Window {
        long endsAt;
        int count;
        String roomId;
        String connectionId;
        long lastAt;

        Window(long endsAt) {
            this.endsAt = endsAt;
        }
    }

    private final long windowMs;
    private final int maxUsers;
    private final Sink sink;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public AttemptAggregator(long windowMs, int maxUsers, Sink sink) {
        if (windowMs < 0 || maxUsers < 1) {
            throw new IllegalArgumentException("windowMs must be >= 0 and maxUsers >= 1");
        }
        this.windowMs = windowMs;
        this.maxUsers = maxUsers;
        this.sink = sink;
    }

    /** The window: how often a sending user's attempts go out, at most. */
    public long windowMs() {
        return windowMs;
    }

    /** A send of {@code userId} on {@code connectionId} to {@code roomId} was forwarded at {@code nowMs}. */
    public void attempt(String userId, String connectionId, String roomId, long nowMs) {
        if (windowMs == 0) {
            sink.publish(userId, connectionId, nowMs, roomId, 1);
            return;
        }
        // Records are handed to the sink inside the user's compute, so a user's records keep their order.
        windows.compute(userId, (user, window) -> {
            if (window == null || (window.count == 0 && nowMs >= window.endsAt)) {
                sink.publish(userId, connectionId, nowMs, roomId, 1);
                return window == null && windows.size() >= maxUsers ? null : new Window(nowMs + windowMs);
            }
            window.count++;
            window.roomId = roomId;
            window.connectionId = connectionId;
            window.lastAt = nowMs;
            return window;
        });
    }

    /**
     * Ends the windows due at {@code nowMs} (the node's timer): a window with attempts counted
     * sends them as one record and starts the next window; one without is dropped (the user's
     * next attempt goes out at once).
     */
    public void flushDue(long nowMs) {
        for (String userId : windows.keySet()) {
            windows.computeIfPresent(userId, (user, window) -> {
                if (nowMs < window.endsAt) {
                    return window;
                }
                if (window.count == 0) {
                    return null;
                }
                send(user, window);
                window.count = 0;
                window.endsAt = nowMs + windowMs;
                return window;
            });
        }
    }

    /**
     * A connection of {@code userId} closed: the user's pending attempts go out now (before its
     * disconnect); the window stays open (the timer ends it).
     */
    public void flush(String userId) {
        windows.computeIfPresent(userId, (user, window) -> {
            if (window.count > 0) {
                send(user, window);
                window.count = 0;
            }
            return window;
        });
    }

    /** Users with an open window. */
    public int size() {
        return windows.size();
    }

    private void send(String userId, Window window) {
        sink.publish(userId, window.connectionId, window.lastAt, window.roomId, window.count);
    }
}
