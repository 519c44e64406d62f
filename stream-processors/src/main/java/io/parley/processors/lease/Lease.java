/*
 * Lease owns the shape of one edge node's liveness lease in the edge-leases store.
 */
package io.parley.processors.lease;

import io.parley.contracts.json.JsonSerde;

/**
 * @param lastBeatAt log-append time of the node's last heartbeat (the broker's clock, the same clock
 *                   as the ticks it is compared with)
 * @param expired    the expiry was announced; only a heartbeat with a new boot id renews the lease
 * @param bootId     the boot id of the node's last heartbeat (null: a node without boot ids)
 * @param expiredBy  the tick that expired it (a replay of that tick re-announces the same expiry)
 * @param told       the node was told (at least once) that this lease was expired
 */
public record Lease(int slot, long lastBeatAt, long leaseMs, boolean expired, String bootId, String expiredBy,
                    boolean told) {
    static Lease renewed(int slot, long at, long leaseMs, String bootId) {
        return new Lease(slot, at, leaseMs, false, bootId, null, false);
    }

    Lease expiredBy(String tickId) {
        return new Lease(slot, lastBeatAt, leaseMs, true, bootId, tickId, false);
    }

    Lease markTold() {
        return new Lease(slot, lastBeatAt, leaseMs, expired, bootId, expiredBy, true);
    }

    public static JsonSerde<Lease> serde() {
        return new JsonSerde<>(Lease.class);
    }
}
