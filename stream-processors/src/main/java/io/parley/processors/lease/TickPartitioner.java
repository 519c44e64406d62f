/*
 * TickPartitioner owns where a lease tick goes: back to the edge-nodes partition of the task that
 * wrote it, so each partition's lease task reads its own ticks behind its own heartbeats.
 */
package io.parley.processors.lease;

import io.parley.contracts.event.LeaseTick;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/** Ticks to their own partition; anything else by the default partitioner. */
final class TickPartitioner implements StreamPartitioner<String, Object> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, Object value, int numPartitions) {
        if (value instanceof LeaseTick tick) {
            return Optional.of(Set.of(Math.floorMod(tick.partition(), numPartitions)));
        }
        return Optional.empty();
    }
}
