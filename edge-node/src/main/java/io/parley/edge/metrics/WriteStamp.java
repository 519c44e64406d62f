/*
 * WriteStamp owns how a frame queued for a socket carries what its metrics need (its kind and the
 * accept time of the command behind it) without a parameter through every protocol layer: the
 * delivery thread opens a stamp around the fan-out of one Delivery, and SendQueue.offer, called
 * synchronously on that thread, keeps the stamp with the frame; the write records it.
 */
package io.parley.edge.metrics;

/**
 * Per-thread; no allocation (one holder per stamping thread). Reading on a virtual thread that never
 * stamped (a connection's reader queueing a reply) creates nothing: each of those would otherwise get
 * its own ThreadLocalMap and holder, kept as long as the connection (issue 10 (d)).
 */
public final class WriteStamp {
    /** Not stamped: other frames (edge-made replies, handshakes, pings). */
    public static final int NONE = 0;
    /** A room event pushed to a subscriber. */
    public static final int DELIVERY = 1;
    /** The processors' reply to a command. */
    public static final int REPLY = 2;

    private static final ThreadLocal<long[]> CURRENT = ThreadLocal.withInitial(() -> new long[2]);
    /** Set once any virtual thread stamped: from then on every thread's reads go through the ThreadLocal. */
    private static volatile boolean virtualStamps;

    private WriteStamp() {}

    /** Frames queued by this thread until {@link #clear()} are of {@code kind}, caused at {@code acceptedAtMs} (0: unknown). */
    public static void set(int kind, long acceptedAtMs) {
        if (!virtualStamps && Thread.currentThread().isVirtual()) {
            virtualStamps = true;
        }
        long[] stamp = CURRENT.get();
        stamp[0] = kind;
        stamp[1] = acceptedAtMs;
    }

    public static void clear() {
        if (unstamped()) {
            return;
        }
        long[] stamp = CURRENT.get();
        stamp[0] = NONE;
        stamp[1] = 0;
    }

    /** The kind of the current stamp of this thread. */
    public static int kind() {
        if (unstamped()) {
            return NONE;
        }
        return (int) CURRENT.get()[0];
    }

    public static long acceptedAt() {
        if (unstamped()) {
            return 0;
        }
        return CURRENT.get()[1];
    }

    /** True on a virtual thread while no virtual thread ever stamped: its stamp is NONE, and reading it must not create one. */
    private static boolean unstamped() {
        return !virtualStamps && Thread.currentThread().isVirtual();
    }
}
