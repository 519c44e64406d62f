/*
 * LeaseTick owns the shape of the processors' own clock records on edge-nodes: how the lease stage
 * measures time by the progress of the log it reads instead of by its wall clock.
 */
package io.parley.contracts.event;

/**
 * A tick the processors append to each partition of {@code edge-nodes} (key {@value #KEY}) about
 * once a second. A tick sits behind every heartbeat appended before it, so the lease stage reads
 * it only after those heartbeats: comparing a tick's log-append time with a node's last heartbeat's
 * never mistakes processing lag for a dead node. Consumers other than the processors ignore it.
 *
 * @param tickId    a ULID minted once per tick (expiries decided on this tick derive their ids from it)
 * @param partition the edge-nodes partition the tick was written to
 * @param at        the processors' wall clock when the tick was written (informative)
 */
public record LeaseTick(String tickId, int partition, long at) {
    /** The record key of every tick; never an edge node id (those have no '#'). */
    public static final String KEY = "#tick";
}
