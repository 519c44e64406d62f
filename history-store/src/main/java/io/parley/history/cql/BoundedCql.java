// Owns the bound on Cassandra writes in flight: every write of the history store and of the rebuild
// goes through one of these, so a burst of events never queues more requests than it allows.
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

    /** Sends the statement once a permit is free; the future completes with its result. */
    public CompletableFuture<Void> execute(Statement<?> statement) {
        permits.acquireUninterruptibly();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            session.executeAsync(statement.setTimeout(timeout)).whenComplete((rs, failure) -> {
                permits.release();
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            permits.release();
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
        if (rows.size() == 1) {
            into.add(execute(rows.getFirst()));
            return;
        }
        List<BoundStatement> batch = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (!batch.isEmpty() && (batch.size() >= MAX_BATCH_ROWS || bytes + sizes[i] > MAX_BATCH_BYTES)) {
                into.add(execute(asBatch(batch)));
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(rows.get(i));
            bytes += sizes[i];
        }
        if (!batch.isEmpty()) {
            into.add(execute(asBatch(batch)));
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
