package io.parley.contracts.event;

/**
 * An edge node's liveness lease, on {@code edge-nodes} (key: edge node id), published every
 * {@code leaseMs / 3}: a node not heard from within {@code leaseMs} is dead, and the processors
 * drop its connections.
 */
public record EdgeHeartbeat(String edgeNodeId, int edgeSlot, long timestamp, long leaseMs, int connections) {}
