/*
 * EngineSession owns one Engine.IO session (one sid): its current transport (long-polling, then
 * possibly WebSocket after an upgrade), its bounded outbox of encoded packets and how they leave
 * (a waiting long-polling GET takes them, or the WebSocket's SendQueue writes them), the heartbeat
 * state, the CONNECT deadline, and the Socket.IO socket connected on it (default namespace only).
 */
package io.parley.edge.socketio;

import io.parley.edge.guard.FrameRateGuard;
import io.parley.edge.ws.SendQueue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Thread-safe: HTTP handler threads, a WebSocket reader, the deliveries thread and timers all touch it. */
final class EngineSession {
    enum Transport { POLLING, WEBSOCKET }

    /** What a long-polling GET gets. */
    sealed interface Poll permits Body, Overlap, WrongTransport {}

    record Body(String text) implements Poll {}

    /** Another GET of this session is already waiting (the session is then closed). */
    record Overlap() implements Poll {}

    /** The session is on WebSocket now. */
    record WrongTransport() implements Poll {}

    final String sid;
    /** The token of the handshake request (Authorization: Bearer or ?token=), used when CONNECT has no auth. */
    final String handshakeToken;
    private final int outboxLimit;
    private final int maxPayload;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private Transport transport;
    private boolean pollWaiting;
    private boolean upgradeNoopPending;
    private boolean closed;
    private long closedAtNanos;
    private SendQueue wsQueue;
    private volatile Thread wsReader;

    // Heartbeat, under lock.
    private boolean awaitingPong;
    private long pingCount;

    // Inbound side: packets of one session are handled one at a time, under this lock.
    final ReentrantLock inbound = new ReentrantLock();
    final FrameRateGuard guard;
    /** Binary attachments still to be discarded (a refused BINARY_EVENT announced them). Under inbound. */
    int attachmentsToSkip;

    private volatile SioSocket socket;
    /** The vocabulary profile named on the Engine.IO handshake (?profile= or ?vocabulary=), or null. */
    volatile String handshakeProfile;
    private volatile boolean everConnected;

    EngineSession(String sid, String handshakeToken, Transport transport, int outboxLimit, int maxPayload,
                  FrameRateGuard guard) {
        this.sid = sid;
        this.handshakeToken = handshakeToken;
        this.transport = transport;
        this.outboxLimit = outboxLimit;
        this.maxPayload = maxPayload;
        this.guard = guard;
    }

    /** Packets waiting: in the polling outbox, or in the WebSocket's send queue (metrics, inspection). */
    int queueDepth() {
        SendQueue queue = wsQueue;
        if (queue != null) {
            return queue.pending();
        }
        lock.lock();
        try {
            return outbox.size();
        } finally {
            lock.unlock();
        }
    }

    /** The result of {@link #send}: queued, or refused because the session is closed or its outbox full. */
    enum Sent { QUEUED, CLOSED, OVERFLOW }

    /**
     * Queues one encoded Engine.IO packet; never blocks. On WebSocket the packet goes to the
     * SendQueue outside this session's lock (its overflow handler closes the session, which takes
     * other locks); a full polling outbox answers OVERFLOW and the caller closes the session.
     */
    Sent send(String packet) {
        SendQueue queue;
        lock.lock();
        try {
            if (closed) {
                return Sent.CLOSED;
            }
            if (transport == Transport.POLLING) {
                if (outbox.size() >= outboxLimit) {
                    return Sent.OVERFLOW;
                }
                outbox.add(packet);
                changed.signalAll();
                return Sent.QUEUED;
            }
            queue = wsQueue;
        } finally {
            lock.unlock();
        }
        return queue.offer(packet) ? Sent.QUEUED : Sent.CLOSED;
    }

    /**
     * A long-polling GET: waits up to {@code maxWaitNanos} for packets and takes as many as fit in
     * maxPayload (at least one); a noop when the wait ends empty or an upgrade needs the GET back,
     * a close packet once the session is closed.
     */
    Poll poll(long maxWaitNanos) throws InterruptedException {
        lock.lock();
        try {
            if (transport != Transport.POLLING) {
                return new WrongTransport();
            }
            if (pollWaiting) {
                return new Overlap();
            }
            pollWaiting = true;
            try {
                long remaining = maxWaitNanos;
                while (outbox.isEmpty() && !closed && !upgradeNoopPending && transport == Transport.POLLING && remaining > 0) {
                    remaining = changed.awaitNanos(remaining);
                }
                if (!outbox.isEmpty()) {
                    List<String> taken = new ArrayList<>();
                    int bytes = 0;
                    while (!outbox.isEmpty()) {
                        int size = outbox.peek().length() + 1;
                        if (!taken.isEmpty() && bytes + size > maxPayload) {
                            break;
                        }
                        bytes += size;
                        taken.add(outbox.poll());
                    }
                    if (closed && outbox.isEmpty()) {
                        taken.add(String.valueOf(EngineCodec.CLOSE)); // the last packets, then goodbye
                    }
                    return new Body(EngineCodec.encodePayload(taken));
                }
                if (closed) {
                    return new Body(String.valueOf(EngineCodec.CLOSE));
                }
                upgradeNoopPending = false;
                return new Body(String.valueOf(EngineCodec.NOOP));
            } finally {
                pollWaiting = false;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A WebSocket probe of this session answered: the waiting (or next) GET returns a noop so the client can pause polling. */
    void probed() {
        lock.lock();
        try {
            upgradeNoopPending = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Switches to WebSocket: what the outbox holds goes first, in order. False if the session is closed or not polling. */
    boolean upgrade(SendQueue queue, Thread reader) {
        lock.lock();
        try {
            if (closed || transport != Transport.POLLING) {
                return false;
            }
            transport = Transport.WEBSOCKET;
            wsQueue = queue;
            wsReader = reader;
            String packet;
            while ((packet = outbox.poll()) != null) {
                queue.offer(packet);
            }
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** For a session opened directly on WebSocket. */
    void attachWebsocket(SendQueue queue, Thread reader) {
        lock.lock();
        try {
            wsQueue = queue;
            wsReader = reader;
        } finally {
            lock.unlock();
        }
    }

    Transport transport() {
        lock.lock();
        try {
            return transport;
        } finally {
            lock.unlock();
        }
    }

    /** The WebSocket's queue, or null while polling. */
    SendQueue wsQueue() {
        lock.lock();
        try {
            return wsQueue;
        } finally {
            lock.unlock();
        }
    }

    /** False once the WebSocket reader thread ended (Helidon does not always call onClose). */
    boolean wsReaderLost() {
        Thread reader = wsReader;
        return reader != null && !reader.isAlive();
    }

    /** Marks the session closed and wakes a waiting GET (which answers a close packet); true for the one caller that closed it. */
    boolean markClosed() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            closedAtNanos = System.nanoTime();
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** True when nothing more is in flight: the close frame was written, or no GET is waiting and nothing is left to take. */
    boolean isFlushed() {
        lock.lock();
        try {
            return transport == Transport.WEBSOCKET ? wsQueue == null || wsQueue.isFinished()
                    : !pollWaiting && outbox.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** True once the session has been closed for longer than {@code nanos}. */
    boolean closedLongerThan(long nanos) {
        lock.lock();
        try {
            return closed && System.nanoTime() - closedAtNanos > nanos;
        } finally {
            lock.unlock();
        }
    }

    /** A ping is about to be sent; returns its number (for the pong deadline), or -1 if closed. */
    long pingSent() {
        lock.lock();
        try {
            if (closed) {
                return -1;
            }
            awaitingPong = true;
            return ++pingCount;
        } finally {
            lock.unlock();
        }
    }

    /** A pong arrived; true if it answers the outstanding ping (then the next ping is due). */
    boolean pongReceived() {
        lock.lock();
        try {
            if (!awaitingPong || closed) {
                return false;
            }
            awaitingPong = false;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** True if ping number {@code ping} is still unanswered. */
    boolean pongOverdue(long ping) {
        lock.lock();
        try {
            return !closed && awaitingPong && pingCount == ping;
        } finally {
            lock.unlock();
        }
    }

    SioSocket socket() {
        return socket;
    }

    void socket(SioSocket socket) {
        this.socket = socket;
        if (socket != null) {
            everConnected = true;
        }
    }

    boolean everConnected() {
        return everConnected;
    }
}
