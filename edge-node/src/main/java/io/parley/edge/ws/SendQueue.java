/*
 * SendQueue owns the outgoing side of one socket: a bounded queue of frames and the serialised
 * writer that drains it (WsSession.send is not thread-safe and blocks; see STACK.md). Producers
 * (the fan-out, replies, Kafka callbacks) only enqueue and never wait; a full queue means a slow
 * consumer, which is closed instead of stalling the fan-out. A close either jumps the queue or
 * (closeAfterPending) follows what is queued. A frame queued under a WriteStamp (a delivery or a
 * processors' reply) is counted, and its latency recorded, once its write completed (EdgeMetrics).
 * Queueing a frame costs one CAS on a lock-free queue and one on its counter (no lock, no
 * per-socket copy of the stamp: the fan-out's stamped frame is shared, WriteStamp.frame).
 */
package io.parley.edge.ws;

import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.metrics.WriteStamp;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames are written by at most one drain task at a time, run on a shared executor (virtual
 * threads) only while there is something to write: an idle socket costs no thread. A close
 * request jumps the queue (pending frames are dropped) and is the last thing written.
 */
public final class SendQueue {

    /** Where frames go: the socket. Called by one thread at a time. */
    public interface Sink {
        void send(String text) throws Exception;

        void close(int code, String reason) throws Exception;

        /**
         * Text frames and closes on a Helidon WebSocket session (both protocols' websocket transports);
         * a large text goes as a fragmented message (TextFragments: Helidon's per-connection send
         * buffer would otherwise grow to the largest frame ever sent and keep that size).
         */
        static Sink of(io.helidon.websocket.WsSession ws) {
            return new Sink() {
                @Override
                public void send(String text) {
                    TextFragments.send(ws, text);
                }

                @Override
                public void close(int code, String reason) {
                    ws.close(code, reason);
                }
            };
        }
    }

    /** A write done on the caller's thread (a pong), serialised with the queue's writer. */
    @FunctionalInterface
    public interface DirectWrite {
        void write() throws Exception;
    }

    /** What the owner is told; called at most once each, on the thread that noticed. */
    public interface Events {
        /** The queue was full: the socket is a slow consumer. */
        void overflow(SendQueue queue);

        /** Writing to the socket failed: it is gone. */
        void sendFailed(SendQueue queue, Exception failure);
    }

    private record CloseRequest(int code, String reason) {}

    private final int limit;
    /** String, or WriteStamp.Stamped for frames queued under a WriteStamp; at most {@code limit} (counted by {@code size}). */
    private final ConcurrentLinkedQueue<Object> frames = new ConcurrentLinkedQueue<>();
    /** Frames in {@code frames}: counted up before one goes in, down after one came out. */
    private final AtomicInteger size = new AtomicInteger();
    private final Sink sink;
    private final Events events;
    private final Executor executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final ReentrantLock writing = new ReentrantLock();
    private volatile CloseRequest closeRequest;
    /** A close to write once the frames queued before it are written (a goodbye that drops nothing). */
    private volatile CloseRequest closeAfterPending;
    private volatile boolean finished;
    private volatile Thread writer;

    public SendQueue(int limit, Sink sink, Events events, Executor executor) {
        this.limit = limit;
        this.sink = sink;
        this.events = events;
        this.executor = executor;
    }

    /**
     * Queues one frame. Returns false if the queue is closing or full; a full queue closes the
     * socket (code 1013, "slow consumer") and tells {@link Events#overflow} once.
     */
    public boolean offer(String frame) {
        if (closeRequest != null || closeAfterPending != null || finished) {
            return false;
        }
        if (size.incrementAndGet() > limit) {
            size.decrementAndGet();
            if (overflowed.compareAndSet(false, true)) {
                close(CloseCodes.TRY_AGAIN_LATER, "slow consumer: " + limit + " frames queued");
                EdgeMetrics.current().slowConsumerClosed();
                events.overflow(this);
            }
            return false;
        }
        frames.offer(WriteStamp.frame(frame));
        schedule();
        return true;
    }

    /** Drops what is pending and writes a close frame next (first request wins). */
    public void close(int code, String reason) {
        if (closeRequest != null || finished) {
            return;
        }
        closeRequest = new CloseRequest(code, reason);
        clearFrames();
        schedule();
    }

    /** Writes what is queued, then the close frame; later offers are refused (first close request wins). */
    public void closeAfterPending(int code, String reason) {
        if (closeRequest != null || closeAfterPending != null || finished) {
            return;
        }
        closeAfterPending = new CloseRequest(code, reason);
        schedule();
    }

    /**
     * The peer closed (or the connection ended): write nothing more. Waits briefly for a write in
     * progress so the caller (Helidon's reader, about to answer the close) does not write concurrently.
     */
    public void stop() {
        finished = true;
        clearFrames();
        try {
            if (writing.tryLock(1, TimeUnit.SECONDS)) {
                writing.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Interrupts a writer stuck on the socket (a virtual thread blocked in socket I/O is unblocked). */
    public void abort() {
        finished = true;
        clearFrames();
        Thread current = writer;
        if (current != null) {
            current.interrupt();
        }
    }

    /**
     * Writes a control frame now on the caller's thread (the reader answering a ping), serialised
     * with the writer (Helidon's send is not thread-safe); jumps the queue, as RFC 6455 allows
     * control frames between data frames. False once the queue is closing or finished.
     */
    public boolean writeNow(DirectWrite write) {
        if (closeRequest != null || finished) {
            return false;
        }
        writing.lock();
        try {
            if (finished) {
                return false;
            }
            write.write();
            return true;
        } catch (Exception e) {
            finished = true;
            clearFrames();
            events.sendFailed(this, e);
            return false;
        } finally {
            writing.unlock();
        }
    }

    /**
     * Writes a close frame now on the caller's thread (the reader found a protocol error), after
     * the frame being written if any; pending frames are dropped and nothing is written after it.
     */
    public void closeNow(int code, String reason) {
        closeRequest = new CloseRequest(code, reason);
        clearFrames();
        writeClose(closeRequest);
    }

    /** Frames waiting to be written. */
    public int pending() {
        return Math.max(0, size.get());
    }

    private void clearFrames() {
        while (frames.poll() != null) {
            size.decrementAndGet();
        }
    }

    /** True once a close was requested or the queue stopped. */
    public boolean isClosing() {
        return closeRequest != null || closeAfterPending != null || finished;
    }

    /** True once nothing more will be written (close frame written, stopped, or failed). */
    public boolean isFinished() {
        return finished;
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RuntimeException e) {
                scheduled.set(false);
                finished = true;
                events.sendFailed(this, e);
            }
        }
    }

    private void drain() {
        writer = Thread.currentThread();
        try {
            while (true) {
                if (finished) {
                    clearFrames();
                    return;
                }
                CloseRequest close = closeRequest;
                if (close != null) {
                    writeClose(close);
                    return;
                }
                Object frame = frames.poll();
                if (frame != null) {
                    size.decrementAndGet();
                }
                if (frame == null) {
                    CloseRequest goodbye = closeAfterPending;
                    if (goodbye != null) {
                        writeClose(goodbye);
                        return;
                    }
                    scheduled.set(false);
                    // An offer may have slipped in between poll() and set(false): take it over if nobody else did.
                    if ((frames.isEmpty() && closeRequest == null && closeAfterPending == null)
                            || !scheduled.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                if (!write(frame)) {
                    return;
                }
            }
        } finally {
            writer = null;
        }
    }

    private boolean write(Object frame) {
        writing.lock();
        try {
            if (finished) {
                return false;
            }
            if (frame instanceof WriteStamp.Stamped stamped) {
                sink.send(stamped.text());
                EdgeMetrics.current().written(stamped.kind(), stamped.acceptedAt(), System.currentTimeMillis());
            } else {
                sink.send((String) frame);
            }
            return true;
        } catch (Exception e) {
            finished = true;
            clearFrames();
            events.sendFailed(this, e);
            return false;
        } finally {
            writing.unlock();
        }
    }

    private void writeClose(CloseRequest close) {
        writing.lock();
        try {
            if (!finished) {
                finished = true;
                clearFrames();
                sink.close(close.code(), close.reason());
            }
        } catch (Exception e) {
            events.sendFailed(this, e);
        } finally {
            writing.unlock();
        }
    }

    /** The close codes this edge uses (RFC 6455 section 7.4.1). */
    public static final class CloseCodes {
        public static final int NORMAL = 1000;
        public static final int GOING_AWAY = 1001;
        /** A protocol error (RFC 6455 section 5.5: a control frame with more than 125 bytes of payload). */
        public static final int PROTOCOL_ERROR = 1002;
        /** A text message that is not valid UTF-8 (RFC 6455 section 8.1). */
        public static final int INVALID_PAYLOAD = 1007;
        public static final int POLICY_VIOLATION = 1008;
        public static final int TRY_AGAIN_LATER = 1013;

        private CloseCodes() {}
    }
}
