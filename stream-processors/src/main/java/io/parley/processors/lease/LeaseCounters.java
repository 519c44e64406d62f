/*
 * LeaseCounters owns the process-wide counts of edge-node lease renewals and expiries, which the
 * lease processor (inside Streams' threads) increments and the processors' /metrics exposes
 * (parley_processors_lease_renewals_total, parley_processors_lease_expiries_total).
 */
package io.parley.processors.lease;

import java.util.concurrent.atomic.LongAdder;

public final class LeaseCounters {
    /** Heartbeats that renewed a lease. */
    public static final LongAdder RENEWALS = new LongAdder();
    /** Leases announced expired (a NodeExpired emitted). */
    public static final LongAdder EXPIRIES = new LongAdder();

    private LeaseCounters() {}
}
