/*
 * Lease owns the shape of one edge node's liveness lease in the edge-leases store, with the memory
 * of the node's last expiries (which record of edge-nodes decided each), so a record read again
 * after a crash re-announces exactly what it announced before, whatever the store says by then.
 */
package io.parley.processors.lease;

import io.parley.contracts.json.JsonSerde;

import java.util.ArrayList;
import java.util.List;

/**
 * @param lastBeatAt log-append time of the node's last heartbeat (the broker's clock, the same clock
 *                   as the ticks it is compared with)
 * @param expired    the expiry was announced; only a heartbeat with a new boot id renews the lease
 * @param bootId     the boot id of the node's last heartbeat (null: a node without boot ids)
 * @param expiredBy  the tick that expired it (a replay of that tick re-announces the same expiry)
 * @param told       the node was told (at least once) that this lease was expired
 * @param announced  the node's last {@value #ANNOUNCED_KEPT} expiries (lease or restart), each with the
 *                   offset of the edge-nodes record that decided it, oldest first (null: none);
 *                   stored before the NodeExpired is forwarded (see LeaseProcessor)
 */
public record Lease(int slot, long lastBeatAt, long leaseMs, boolean expired, String bootId, String expiredBy,
                    boolean told, List<Announced> announced) {
    /** How many expiries a lease remembers: far more than a node can have within one commit interval. */
    static final int ANNOUNCED_KEPT = 8;

    /** An expiry announced when the record at {@code offset} (of this stage's partition) was processed. */
    public record Announced(long offset, NodeExpired expiry) {}

    static Lease renewed(int slot, long at, long leaseMs, String bootId, List<Announced> announced) {
        return new Lease(slot, at, leaseMs, false, bootId, null, false, announced);
    }

    Lease expiredBy(String tickId) {
        return new Lease(slot, lastBeatAt, leaseMs, true, bootId, tickId, false, announced);
    }

    Lease markTold() {
        return new Lease(slot, lastBeatAt, leaseMs, expired, bootId, expiredBy, true, announced);
    }

    /** This lease remembering that the record at {@code offset} announced {@code expiry} (offset < 0: unknown, not kept). */
    Lease announce(long offset, NodeExpired expiry) {
        if (offset < 0) {
            return this;
        }
        List<Announced> next = new ArrayList<>(announced == null ? List.of() : announced);
        next.add(new Announced(offset, expiry));
        while (next.size() > ANNOUNCED_KEPT) {
            next.removeFirst();
        }
        return new Lease(slot, lastBeatAt, leaseMs, expired, bootId, expiredBy, told, List.copyOf(next));
    }

    /** The expiry the record at {@code offset} announced, or null. */
    NodeExpired announcedAt(long offset) {
        if (announced == null || offset < 0) {
            return null;
        }
        for (Announced a : announced) {
            if (a.offset() == offset) {
                return a.expiry();
            }
        }
        return null;
    }

    public static JsonSerde<Lease> serde() {
        return new JsonSerde<>(Lease.class);
    }
}
