/*
 * WriteStamp owns how a frame queued for a socket carries what its metrics need (its kind and the
 * accept time of the command behind it) without a parameter through every protocol layer: the
 * delivery thread opens a stamp around the fan-out of one Delivery, and SendQueue.offer, called
 * synchronously on that thread, keeps the stamp with the frame; the write records it. The stamped
 * frame is made once per text and stamp and shared by every socket the fan-out queues it for.
 */
package io.parley.edge.metrics;

/**
 * Per-thread; no allocation per socket (one holder per thread, one stamped frame per delivery).
 * Reading on a virtual thread that never stamped (a connection's reader queueing a reply) creates
 * nothing: each of those would otherwise get its own ThreadLocalMap and holder, kept as long as the
 * connection (issue 10 (d)).
 */
public final class WriteStamp {
    /** Not stamped: other frames (edge-made replies, handshakes, pings). */
    public static final int NONE = 0;
    /** A room event pushed to a subscriber. */
    public static final int DELIVERY = 1;
    /** The processors' reply to a command. */
    public static final int REPLY = 2;

    /** A frame queued under a stamp: its text, the stamp's kind and accept time (epoch ms, 0: unknown). */
    public record Stamped(String text, int kind, long acceptedAt) {}

    private static final class Current {
        int kind;
        long acceptedAt;
        /** The stamped frame made last under this stamp (the fan-out queues the same text to every socket). */
        Stamped last;
    }

    private static final ThreadLocal<Current> CURRENT = ThreadLocal.withInitial(Current::new);
    /** Set once any virtual thread stamped: from then on every thread's reads go through the ThreadLocal. */
    private static volatile boolean virtualStamps;

    private WriteStamp() {}

    /** Frames queued by this thread until {@link #clear()} are of {@code kind}, caused at {@code acceptedAtMs} (0: unknown). */
    public static void set(int kind, long acceptedAtMs) {
        if (!virtualStamps && Thread.currentThread().isVirtual()) {
            virtualStamps = true;
        }
        Current stamp = CURRENT.get();
        stamp.kind = kind;
        stamp.acceptedAt = acceptedAtMs;
        stamp.last = null;
    }

    public static void clear() {
        if (unstamped()) {
            return;
        }
        Current stamp = CURRENT.get();
        stamp.kind = NONE;
        stamp.acceptedAt = 0;
        stamp.last = null;
    }

    /** The kind of the current stamp of this thread. */
    public static int kind() {
        if (unstamped()) {
            return NONE;
        }
        return CURRENT.get().kind;
    }

    public static long acceptedAt() {
        if (unstamped()) {
            return 0;
        }
        return CURRENT.get().acceptedAt;
    }

    /**
     * What a send queue keeps for {@code text}: the text itself when this thread has no stamp, else
     * a {@link Stamped} frame, the same object for the same text (by identity) under the same stamp.
     */
    public static Object frame(String text) {
        if (unstamped()) {
            return text;
        }
        Current stamp = CURRENT.get();
        if (stamp.kind == NONE) {
            return text;
        }
        Stamped last = stamp.last;
        if (last != null && last.text() == text) {
            return last;
        }
        last = new Stamped(text, stamp.kind, stamp.acceptedAt);
        stamp.last = last;
        return last;
    }

    /** True on a virtual thread while no virtual thread ever stamped: its stamp is NONE, and reading it must not create one. */
    private static boolean unstamped() {
        return !virtualStamps && Thread.currentThread().isVirtual();
    }
}
