/*
 * Lease owns the shape of one edge node's liveness lease in the edge-leases store.
 */
package io.parley.processors.lease;

import io.parley.contracts.json.JsonSerde;

/**
 * @param receivedAt processor wall-clock time at which the node's last heartbeat was processed
 *                   (not the node's clock: no skew between machines enters the lease)
 * @param expired    the expiry was already announced; a new heartbeat clears it
 */
public record Lease(int slot, long receivedAt, long leaseMs, boolean expired) {
    public static JsonSerde<Lease> serde() {
        return new JsonSerde<>(Lease.class);
    }
}
