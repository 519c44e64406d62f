/*
 * RoomRecovery owns the seam of one resumed room on one connection: from the moment the room
 * processor accepts the join (the connection enters the room index) until the missed messages are
 * written, the room's live events for this connection are held here; then room-recovered, then the
 * held events whose seq lies past what was recovered, then live events go straight to the socket.
 * No gap (every live event after the join is held, every seq up to the join's is read from the
 * history store) and no duplicate (held events at or below the recovered range are dropped).
 */
package io.parley.edge.recovery;

import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.OutboundEvent;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Thread-safe: the deliveries thread {@link #hold}s live events, the recovery's own virtual
 * thread writes the missed messages and calls {@link #finish}; both under this object's lock where
 * they meet, so the order on the socket is: missed messages, room-recovered, held, live.
 *
 * <p>The held events are bounded ({@code holdLimit}): past it they are dropped and the recovered
 * range grows to the highest seq dropped, so the messages among them come from the history store
 * too (other events of that stretch, such as typing or user-joined, are not recovered).
 */
public final class RoomRecovery {
    /** Refs of the joins a resume publishes start with this (never a client's own ref in practice). */
    public static final String REF_PREFIX = "\u0001resume:";

    private final String roomId;
    private final long lastSeq;
    private final String clientRef;
    private final ResumeBatch batch;
    private final int holdLimit;
    private final Runnable onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();

    // Guarded by this.
    private long toSeq;
    private long sent;
    private boolean done;
    private long dropped;
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    private record Held(OutboundEvent event, long seq) {}

    /**
     * @param clientRef the ref the client's join-room carried (null inside a resume: the batch answers)
     * @param batch     the resume this room belongs to, or null for a join-room with lastSeq
     * @param onEnd     run once when the recovery ends or is abandoned (releases its permit)
     */
    public RoomRecovery(String roomId, long lastSeq, String clientRef, ResumeBatch batch, int holdLimit, Runnable onEnd) {
        this.roomId = roomId;
        this.lastSeq = lastSeq;
        this.clientRef = clientRef;
        this.batch = batch;
        this.holdLimit = Math.max(1, holdLimit);
        this.onEnd = onEnd;
        this.toSeq = lastSeq;
    }

    public String roomId() { return roomId; }

    public long lastSeq() { return lastSeq; }

    public String clientRef() { return clientRef; }

    public ResumeBatch batch() { return batch; }

    /** The join was accepted at {@code joinSeq}: every event after it reaches this connection live. */
    public synchronized void joined(long joinSeq) {
        toSeq = Math.max(toSeq, joinSeq);
    }

    /** The last seq to recover from the history store (it grows when held events overflow). */
    public synchronized long toSeq() {
        return toSeq;
    }

    /** Held events dropped on overflow so far (their messages are recovered from the store instead). */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * A live event of the room for this connection ({@code seq} 0: unsequenced). True if it was held
     * (the caller must not deliver it); false once the recovery is over (deliver it as usual).
     */
    public synchronized boolean hold(OutboundEvent event, long seq) {
        if (done) {
            return false;
        }
        if (held.size() >= holdLimit) {
            long highest = seq;
            for (Held h : held) {
                highest = Math.max(highest, h.seq());
            }
            dropped += held.size() + 1;
            held.clear();
            toSeq = Math.max(toSeq, highest);
            return true;
        }
        held.addLast(new Held(event, seq));
        return true;
    }

    /** False once ended or abandoned. */
    public boolean isActive() {
        return !ended.get();
    }

    /** The highest missed message written so far (0: none). */
    public synchronized long sentSeq() {
        return sent;
    }

    /** A missed message of {@code seq} was queued on the socket. */
    public synchronized void sent(long seq) {
        sent = Math.max(sent, seq);
    }

    /**
     * Ends the recovery, not truncated, if every missed message up to {@code covered} was written
     * and the range still ends there; false if held events overflowed meanwhile and raised toSeq
     * (the caller reads on).
     */
    public boolean finishCovered(ClientConnection connection, long covered) {
        synchronized (this) {
            if (!done && toSeq > covered) {
                return false;
            }
            finish(connection, false); // under the same lock: toSeq cannot grow in between
        }
        return true;
    }

    /**
     * Ends the recovery: {@code room-recovered {roomId, fromSeq, toSeq, truncated}}, then the held
     * events past the recovered range, in arrival order; from now on {@link #hold} lets events
     * through. Idempotent.
     */
    public void finish(ClientConnection connection, boolean truncated) {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            connection.deliver(new OutboundEvent(Protocol.ROOM_RECOVERED,
                    Json.tree(new Protocol.RoomRecovered(roomId, lastSeq + 1, toSeq, truncated)), roomId, 0));
            long floor = Math.max(toSeq, sent);
            for (Held h : held) {
                if (h.seq() == 0 || h.seq() > floor) {
                    connection.deliver(h.event());
                }
            }
            held.clear();
        }
        end();
    }

    /** The connection went away or the join was refused: nothing more is sent. Idempotent. */
    public void abandon() {
        synchronized (this) {
            done = true;
            held.clear();
        }
        end();
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            onEnd.run();
        }
    }
}
