/*
 * NodeExpired owns the shape of the internal signal "this edge node's lease ran out": sent by the
 * node-lease stage to every partition of the presence and room stages (internal repartition
 * topics), which then drop the node's connections from their own state.
 */
package io.parley.processors.lease;

import io.parley.contracts.json.JsonSerde;

/**
 * @param eventId  a ULID made once when the lease expired; synthetic leaves derive their ids from it,
 *                 so a replay of this record makes the same ids
 * @param at       epoch ms (processor wall clock) at which the lease was found expired
 */
public record NodeExpired(String edgeNodeId, int edgeSlot, String eventId, long at) {
    public static JsonSerde<NodeExpired> serde() {
        return new JsonSerde<>(NodeExpired.class);
    }
}
