// Owns the bound on Cassandra writes in flight and their count: every write of the history store and
// of the rebuild goes through one of these, so a burst of events never queues more requests than it
// allows, and every CQL request a batch costs is counted (parley_history_cql_writes_total).
package io.parley.history.cql;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Statement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * Asynchronous writes with at most {@code maxInFlight} requests outstanding: {@link #execute}
 * blocks its caller (the writer's or the rebuild's consumer thread, never a driver thread) while
 * the bound is reached. {@link #grouped} turns rows of one partition into single-partition
 * UNLOGGED batches (one request, one mutation on the replica), bounded in rows and bytes so no
 * batch comes near Cassandra's {@code batch_size_fail_threshold} (50 KiB).
 */
public final class BoundedCql {
    /** Rows per single-partition batch at most. */
    static final int MAX_BATCH_ROWS = 64;
    /** Estimated payload bytes per batch at most (Cassandra refuses batches over 50 KiB by default). */
    static final int MAX_BATCH_BYTES = 24 * 1024;

    private final CqlSession session;
    private final Semaphore permits;
    private final Duration timeout;
    private final LongAdder requests = new LongAdder();

    public BoundedCql(CqlSession session, int maxInFlight, Duration timeout) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        }
        this.session = session;
        this.permits = new Semaphore(maxInFlight);
        this.timeout = timeout;
    }

    /** The live writer's bound: 256 requests, 10 s each. */
    public static BoundedCql defaults(CqlSession session) {
        return new BoundedCql(session, 256, Duration.ofSeconds(10));
    }

    public CqlSession session() { return session; }

    /** CQL write requests sent so far (a batch counts one: it is one request), bounded or not. */
    public long requests() { return requests.sum(); }

    /** Sends the statement once a permit is free; the future completes with its result. */
    public CompletableFuture<Void> execute(Statement<?> statement) {
        permits.acquireUninterruptibly();
        return send(statement, true);
    }

    /**
     * Sends the statement at once, outside the bound: for the writes made on a driver thread (which
     * must never block on permits that driver threads release), each following a bounded write of
     * the same batch, so they never outnumber the bounded ones. Counted like the others.
     */
    public CompletableFuture<Void> executeUnbounded(Statement<?> statement) {
        return send(statement, false);
    }

    private CompletableFuture<Void> send(Statement<?> statement, boolean permit) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        requests.increment();
        try {
            session.executeAsync(statement.setTimeout(timeout)).whenComplete((rs, failure) -> {
                if (permit) {
                    permits.release();
                }
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            if (permit) {
                permits.release();
            }
            done.completeExceptionally(e);
        }
        return done;
    }

    /**
     * Writes rows of ONE partition: one statement alone, more as UNLOGGED batches of at most
     * {@link #MAX_BATCH_ROWS} rows and about {@link #MAX_BATCH_BYTES} bytes ({@code sizes[i]}: the
     * estimated size of row i). Adds the futures to {@code into}.
     */
    public void grouped(List<BoundStatement> rows, int[] sizes, List<CompletableFuture<?>> into) {
        grouped(rows, sizes, into, true);
    }

    /** As {@link #grouped(List, int[], List)}, sent with {@link #executeUnbounded} (on a driver thread). */
    public void groupedUnbounded(List<BoundStatement> rows, int[] sizes, List<CompletableFuture<?>> into) {
        grouped(rows, sizes, into, false);
    }

    private void grouped(List<BoundStatement> rows, int[] sizes, List<CompletableFuture<?>> into, boolean bounded) {
        List<BoundStatement> batch = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (!batch.isEmpty() && (batch.size() >= MAX_BATCH_ROWS || bytes + sizes[i] > MAX_BATCH_BYTES)) {
                into.add(bounded ? execute(asBatch(batch)) : executeUnbounded(asBatch(batch)));
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(rows.get(i));
            bytes += sizes[i];
        }
        if (!batch.isEmpty()) {
            into.add(bounded ? execute(asBatch(batch)) : executeUnbounded(asBatch(batch)));
        }
    }

    private static Statement<?> asBatch(List<BoundStatement> rows) {
        if (rows.size() == 1) {
            return rows.getFirst();
        }
        return BatchStatement.newInstance(BatchType.UNLOGGED, rows.toArray(BoundStatement[]::new))
                .setConsistencyLevel(rows.getFirst().getConsistencyLevel());
    }
}
