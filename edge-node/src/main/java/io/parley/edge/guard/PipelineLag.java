/*
 * PipelineLag owns the edge's backpressure signal: how long the oldest command this node published
 * has waited for the processors' answer. Every join, client leave, send and mark-read gets exactly
 * one reply on the deliveries path (typing: when it has a ref), so the age of the oldest unanswered one measures how far the
 * pipeline (Kafka + processors) lags, as this node sees it. Past a bound, new sends are refused
 * with UNAVAILABLE and retryAfterMs instead of queueing seconds of work (issue 10). Joins have a
 * bound of their own: a join burst (every client of a fresh stack joining at once) is admitted and
 * answered late rather than refused, so the sends' signal counts only the other commands, and
 * joins are refused only when the oldest unanswered command of any kind is older than the (larger)
 * join bound.
 */
package io.parley.edge.guard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe. Per connection, the publish times of its unanswered commands, oldest first (a join's
 * stored negated, to tell it from the others without another object per entry); a reply
 * to the connection answers its oldest (replies of one connection's commands to different rooms may
 * come in another order: the count is exact, the age close). {@link #refresh} (the timer, every
 * {@value #REFRESH_MS} ms) computes the oldest over every connection; the send path reads it.
 * Commands unanswered for {@link #horizonMs} are given up (counted, logged): a lost answer can
 * never refuse sends for ever. A closed connection's entries go with it.
 */
public final class PipelineLag {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineLag.class);
    /** How often the edge node's timer calls {@link #refresh}. */
    public static final long REFRESH_MS = 100;
    /** Entries per connection beyond which the oldest are dropped (a client flooding without reading answers). */
    static final int MAX_PER_CONNECTION = 4_096;

    private final long boundMs;
    private final long joinBoundMs;
    private final long horizonMs;
    private final ConcurrentHashMap<String, ArrayDeque<Long>> pending = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong givenUp = new AtomicLong();
    private volatile long oldestAgeMs;      // over every command but joins: the sends' signal
    private volatile long oldestAnyAgeMs;   // over every command: the joins' signal
    private boolean on;             // timer thread only
    private long refusedWhenOn;     // timer thread only

    /** {@code boundMs} 0: never refuse; joins are held to the same bound (measured over every command). */
    public PipelineLag(long boundMs) {
        this(boundMs, boundMs);
    }

    /**
     * @param boundMs     sends, mark-reads, typing...: refused while the oldest unanswered command other
     *                    than a join is older than this; 0: never refused
     * @param joinBoundMs joins: refused while the oldest unanswered command of any kind is older than
     *                    this; 0: never refused
     */
    public PipelineLag(long boundMs, long joinBoundMs) {
        this.boundMs = boundMs;
        this.joinBoundMs = joinBoundMs;
        this.horizonMs = Math.max(60_000, 10 * Math.max(boundMs, joinBoundMs));
    }

    /** A command that will be answered (not a join) was published for {@code connectionId} at {@code nowMs}. */
    public void published(String connectionId, long nowMs) {
        add(connectionId, nowMs);
    }

    /** A join (answered like the others, judged by {@link #refuseJoin}) was published at {@code nowMs}. */
    public void publishedJoin(String connectionId, long nowMs) {
        add(connectionId, -nowMs);
    }

    private void add(String connectionId, long entry) {
        pending.compute(connectionId, (id, times) -> {
            ArrayDeque<Long> q = times != null ? times : new ArrayDeque<>();
            if (q.size() >= MAX_PER_CONNECTION) {
                q.pollFirst();
            }
            q.addLast(entry);
            return q;
        });
    }

    /** The processors answered one command of {@code connectionId}. */
    public void answered(String connectionId) {
        if (connectionId != null) {
            pending.computeIfPresent(connectionId, (id, q) -> {
                q.pollFirst();
                return q.isEmpty() ? null : q;
            });
        }
    }

    /** The connection is gone: its answers no longer matter. */
    public void forget(String connectionId) {
        pending.remove(connectionId);
    }

    /** Recomputes the oldest unanswered ages; logs when refusing sends starts and stops. Timer thread. */
    public void refresh(long nowMs) {
        long[] oldest = {nowMs, nowMs}; // [0]: commands but joins, [1]: every command
        for (String id : pending.keySet()) {
            pending.computeIfPresent(id, (key, q) -> {
                while (!q.isEmpty() && nowMs - Math.abs(q.peekFirst()) > horizonMs) {
                    q.pollFirst();
                    givenUp.incrementAndGet();
                }
                if (q.isEmpty()) {
                    return null;
                }
                oldest[1] = Math.min(oldest[1], Math.abs(q.peekFirst()));
                for (long entry : q) {
                    if (entry > 0) { // the oldest that is not a join
                        oldest[0] = Math.min(oldest[0], entry);
                        break;
                    }
                }
                return q;
            });
        }
        oldestAgeMs = nowMs - oldest[0];
        oldestAnyAgeMs = nowMs - oldest[1];
        boolean over = boundMs > 0 && oldestAgeMs > boundMs;
        if (over && !on) {
            on = true;
            refusedWhenOn = refused.get();
            LOG.warn("backpressure on: the oldest unanswered command is {} ms old (bound {} ms): refusing sends with UNAVAILABLE",
                    oldestAgeMs, boundMs);
        } else if (!over && on) {
            on = false;
            LOG.info("backpressure off: {} commands refused meanwhile ({} in all, {} answers given up)",
                    refused.get() - refusedWhenOn, refused.get(), givenUp.get());
        }
    }

    /** 0 if a new command (not a join) may be published now; else how long the client should wait. Counts the refusal. */
    public long refuse() {
        return refusal(oldestAgeMs, boundMs);
    }

    /** 0 if a new join may be published now; else how long the client should wait. Counts the refusal. */
    public long refuseJoin() {
        return refusal(oldestAnyAgeMs, joinBoundMs);
    }

    private long refusal(long age, long bound) {
        if (bound <= 0 || age <= bound) {
            return 0;
        }
        refused.incrementAndGet();
        return Math.min(bound, Math.max(250, age - bound));
    }

    public long oldestAgeMs() { return oldestAgeMs; }

    public long refused() { return refused.get(); }

    public long givenUp() { return givenUp.get(); }

    public long boundMs() { return boundMs; }

    public long joinBoundMs() { return joinBoundMs; }

    /** The age of the oldest unanswered command of any kind, joins included (the joins' signal). */
    public long oldestAnyAgeMs() { return oldestAnyAgeMs; }
}
