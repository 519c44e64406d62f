package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An edge node's liveness lease, on {@code edge-nodes} (key: edge node id), published every
 * {@code leaseMs / 3}: a node not heard from within {@code leaseMs} of the log's progress is dead
 * (see {@link LeaseTick}), and the processors drop its connections.
 *
 * @param timestamp the node's wall clock when it sent the heartbeat (informative: leases are
 *                  judged by the record's log-append time, see docs/architecture.md)
 * @param bootId    a ULID the node mints when its process starts, and again when it learns that its
 *                  lease was expired (after closing every socket it had). Every connection id the
 *                  node mints later is a greater ULID. A new boot id for a known node id tells the
 *                  processors to drop, at once, the node's connections with smaller ids. Absent
 *                  (null) from nodes that predate it: no restart detection for them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EdgeHeartbeat(String edgeNodeId, int edgeSlot, long timestamp, long leaseMs, int connections,
                            String bootId) {

    /** A heartbeat without a boot id (as written before boot ids existed). */
    public EdgeHeartbeat(String edgeNodeId, int edgeSlot, long timestamp, long leaseMs, int connections) {
        this(edgeNodeId, edgeSlot, timestamp, leaseMs, connections, null);
    }
}
