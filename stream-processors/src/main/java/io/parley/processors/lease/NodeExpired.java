/*
 * NodeExpired owns the shape of the internal signal "this edge node's connections are gone": sent
 * by the node-lease stage to every partition of the presence and room stages (internal repartition
 * topics), which then drop the node's connections from their own state. Two causes: the node's
 * lease ran out, or the node restarted (a new boot id).
 */
package io.parley.processors.lease;

import io.parley.contracts.json.JsonSerde;

/**
 * @param eventId  a ULID derived from what decided it (the tick, or the new boot id); synthetic
 *                 leaves derive their ids from it, so a replay of this record makes the same ids
 * @param at       epoch ms (log-append time of the deciding record) at which it was decided
 * @param before   null: every connection of the node; else only connections whose id (a ULID minted
 *                 by the node) sorts below it: the connections of the node's earlier boots, never
 *                 those of the boot {@code before} itself
 */
public record NodeExpired(String edgeNodeId, int edgeSlot, String eventId, long at, String before) {
    public NodeExpired(String edgeNodeId, int edgeSlot, String eventId, long at) {
        this(edgeNodeId, edgeSlot, eventId, at, null);
    }

    /** True if this expiry drops {@code connectionId}. */
    public boolean covers(String connectionId) {
        return before == null || connectionId.compareTo(before) < 0;
    }

    public static JsonSerde<NodeExpired> serde() {
        return new JsonSerde<>(NodeExpired.class);
    }
}
