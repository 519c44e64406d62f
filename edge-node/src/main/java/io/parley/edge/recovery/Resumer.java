/*
 * Resumer owns the recoveries of this edge node: the permits that bound how many rooms recover at
 * once (overload: UNAVAILABLE with retryAfterMs, decided before the join is published), one
 * virtual thread per recovering room (never the socket's reader), and the recovery loop itself:
 * page the history store's messages after lastSeq up to the seq where the connection's live
 * events start, waiting for the store to catch up when it lags, pacing on the socket's send queue,
 * then end the room's recovery (room-recovered, held events, live) -- truncated when the store
 * could not give everything within PARLEY_RESUME_WAIT_MS without progress.
 */
package io.parley.edge.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Thread-safe; one per node. */
public final class Resumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resumer.class);
    private static final long MIN_BACKOFF_MS = 20;
    private static final long MAX_BACKOFF_MS = 500;

    private final ResumeConfig config;
    private final HistorySource source;
    private final int queueHighWater;
    private final Semaphore permits;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-resume-", 0).factory());
    private final LongSupplier clock;

    /**
     * @param source         where missed messages are read; null: none (every resume ends truncated at once)
     * @param sendQueueLimit the sockets' send queue bound: a recovery waits while a socket's queue is past half of it
     */
    public Resumer(ResumeConfig config, HistorySource source, int sendQueueLimit) {
        this(config, source, sendQueueLimit, System::currentTimeMillis);
    }

    Resumer(ResumeConfig config, HistorySource source, int sendQueueLimit, LongSupplier clock) {
        this.config = config;
        this.source = source;
        this.queueHighWater = Math.max(1, sendQueueLimit / 2);
        this.permits = new Semaphore(config.maxConcurrent());
        this.clock = clock;
    }

    /** Resume off: every resume ends at once with truncated: true. */
    public static Resumer disabled() {
        return new Resumer(new ResumeConfig(null, 1_000_000, 0, 1, 0), null, 1000);
    }

    /**
     * A recovery of {@code roomId} after {@code lastSeq} for one connection, holding one permit, or
     * null when the node recovers as many rooms as it may (the caller answers UNAVAILABLE).
     */
    public RoomRecovery tryBegin(String roomId, long lastSeq, String clientRef, ResumeBatch batch) {
        if (!permits.tryAcquire()) {
            return null;
        }
        return new RoomRecovery(roomId, lastSeq, clientRef, batch, config.holdLimit(), permits::release);
    }

    /** As many recoveries as {@code count}, all or none: true if their permits were taken (each recovery then gets one). */
    public boolean reserve(int count) {
        return permits.tryAcquire(count);
    }

    /** A recovery for a permit taken by {@link #reserve}. */
    public RoomRecovery reserved(String roomId, long lastSeq, String clientRef, ResumeBatch batch) {
        return new RoomRecovery(roomId, lastSeq, clientRef, batch, config.holdLimit(), permits::release);
    }

    /**
     * The room processor answered the join of {@code recovery} (on the deliveries thread, after the
     * room index was updated; {@code recovering}: the recovery was registered, so the room's live
     * events are held). Ok: the client gets the join ack with {@code recovering: true} (or, in a
     * resume, its part of the one ack), then the recovery starts. Refused: the error, no recovery.
     */
    public void answered(ClientConnection connection, RoomRecovery recovery, boolean ok, JsonNode data,
                         io.parley.contracts.wire.ErrorBody error, boolean recovering) {
        JsonNode ack = data;
        if (ok && data != null && data.isObject()) {
            ObjectNode marked = data.deepCopy();
            marked.put("recovering", true);
            ack = marked;
        }
        if (!ok || !recovering) {
            recovery.abandon();
        }
        ResumeBatch batch = recovery.batch();
        if (batch != null) {
            batch.answered(connection, recovery, ok ? ack : null, ok ? null : error, (c, r) -> {
                if (r.isActive()) {
                    start(c, r);
                }
            });
        } else {
            connection.reply(new io.parley.contracts.wire.ServerReply(recovery.clientRef(), ok, ok ? ack : null, error));
            if (ok && recovering) {
                start(connection, recovery);
            }
        }
    }

    /** Permits in use (metrics, tests). */
    public int active() {
        return config.maxConcurrent() - permits.availablePermits();
    }

    /** Starts the recovery of an accepted join on a virtual thread of its own. */
    public void start(ClientConnection connection, RoomRecovery recovery) {
        try {
            threads.execute(() -> run(connection, recovery));
        } catch (java.util.concurrent.RejectedExecutionException e) { // shutting down
            recovery.abandon();
            connection.subscriptions().recovered(recovery.roomId(), recovery);
        }
    }

    private void run(ClientConnection connection, RoomRecovery recovery) {
        boolean complete = false;
        try {
            // Held events may overflow and raise toSeq while the last page is read: then read on.
            while (!complete) {
                long covered = recover(connection, recovery);
                if (covered < 0) {
                    break;
                }
                complete = recovery.finishCovered(connection, covered);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("recovery of {} for connection {} failed: {}", recovery.roomId(), connection.connectionId(), e.toString());
        } finally {
            if (!complete && connection.isOpen()) {
                recovery.finish(connection, true);
            } else if (!complete) {
                recovery.abandon();
            }
            connection.subscriptions().recovered(recovery.roomId(), recovery);
        }
    }

    /**
     * Writes the missed messages; returns the seq up to which every one was written (the toSeq it
     * saw), or -1 when it could not (truncated).
     */
    long recover(ClientConnection connection, RoomRecovery recovery) throws InterruptedException {
        long after = Math.max(recovery.lastSeq(), recovery.sentSeq());
        if (source == null) {
            return recovery.toSeq() <= after ? recovery.toSeq() : -1;
        }
        long backoff = MIN_BACKOFF_MS;
        long deadline = clock.getAsLong() + config.waitMs();
        while (connection.isOpen()) {
            long toSeq = recovery.toSeq();
            if (after >= toSeq) {
                return toSeq;
            }
            HistorySource.Page page = null;
            try {
                page = source.page(connection.userId(), recovery.roomId(), after, ResumeConfig.PAGE_SIZE);
            } catch (HistorySource.Unavailable e) {
                LOG.debug("recovery of {}: {}", recovery.roomId(), e.getMessage());
            }
            if (page != null) {
                boolean pastRange = false;
                long before = after;
                for (JsonNode message : page.messages()) {
                    long seq = message.path("seq").asLong(0);
                    if (seq <= after) {
                        continue;
                    }
                    if (seq > toSeq) {
                        pastRange = true;
                        break;
                    }
                    pace(connection);
                    ObjectNode recovered = message.deepCopy();
                    recovered.put("recovered", true);
                    connection.deliver(new OutboundEvent(Protocol.NEW_MESSAGE, recovered, recovery.roomId(), seq));
                    recovery.sent(seq);
                    after = seq;
                }
                if (after > before) {
                    deadline = clock.getAsLong() + config.waitMs(); // progress: the wait starts again
                    backoff = MIN_BACKOFF_MS;
                }
                if (after >= toSeq) {
                    return toSeq;
                }
                boolean readAll = pastRange || !page.hasMore();
                if (readAll && page.storedSeq() >= toSeq) {
                    return toSeq; // the store holds everything up to toSeq and there is nothing more in it
                }
                if (!readAll) {
                    continue; // next page at once
                }
            }
            if (clock.getAsLong() >= deadline) {
                LOG.info("recovery of {} for connection {} truncated at {} of {}: the history store did not catch up",
                        recovery.roomId(), connection.connectionId(), after, recovery.toSeq());
                return -1;
            }
            TimeUnit.MILLISECONDS.sleep(backoff);
            backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
        return -1;
    }

    /** Waits while the socket's send queue is past half full (never the slow-consumer bound). */
    private void pace(ClientConnection connection) throws InterruptedException {
        while (connection.isOpen() && connection.queueDepth() > queueHighWater) {
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
