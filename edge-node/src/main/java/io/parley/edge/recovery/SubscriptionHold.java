/*
 * SubscriptionHold owns the seam between membership by user and resume: when the processors
 * subscribe a connection to a room of its user's (a new device, or a reconnect) the connection
 * does not know yet whether the client will resume that room from a lastSeq. Its live events of
 * the room are held here until the client says: a join-room with lastSeq (or resume) takes them
 * over into its RoomRecovery (no duplicate, no reordering at the seam); a plain join-room, or the
 * hold time passing, releases them in arrival order.
 */
package io.parley.edge.recovery;

import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.OutboundEvent;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Thread-safe: the deliveries thread holds, takes over or releases; the node's timer releases
 * holds whose time passed. Bounded: past {@code limit} events the hold releases itself (a client
 * that receives that much without resuming is not resuming).
 */
public final class SubscriptionHold {
    private final ClientConnection connection;
    private final String roomId;
    private final long releaseAt;
    private final int limit;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean done; // guarded by this

    /** A held live event and its seq (0: unsequenced). */
    public record Held(OutboundEvent event, long seq) {}

    public SubscriptionHold(ClientConnection connection, String roomId, long releaseAt, int limit) {
        this.connection = connection;
        this.roomId = roomId;
        this.releaseAt = releaseAt;
        this.limit = Math.max(1, limit);
    }

    public ClientConnection connection() { return connection; }

    public String roomId() { return roomId; }

    public boolean isDue(long nowMs) { return nowMs >= releaseAt; }

    /** True if the event was held (the caller must not deliver it); false once released or taken over. */
    public synchronized boolean hold(OutboundEvent event, long seq) {
        if (done) {
            return false;
        }
        if (held.size() >= limit) {
            release();
            return false;
        }
        held.addLast(new Held(event, seq));
        return true;
    }

    /** Writes the held events to the connection, in arrival order; from now on events pass. Idempotent. */
    public synchronized void release() {
        if (done) {
            return;
        }
        done = true;
        for (Held h : held) {
            connection.deliver(h.event());
        }
        held.clear();
    }

    /** For a resume of the room: the held events, in arrival order; from now on nothing is held here. */
    public synchronized List<Held> takeOver() {
        done = true;
        List<Held> all = List.copyOf(held);
        held.clear();
        return all;
    }

    /** The connection left the room or closed: the held events are dropped. */
    public synchronized void drop() {
        done = true;
        held.clear();
    }

    public synchronized boolean isDone() { return done; }
}
