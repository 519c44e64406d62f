/*
 * SlotPartitioner owns how a delivery finds its edge node: the deliveries topic's partitions are
 * edge-node slots (DESIGN.md section 2), so a Delivery goes to partition edgeSlot mod the
 * partition count, whatever its key (the edge node id). Shared by both topologies.
 */
package io.parley.processors;

import io.parley.contracts.event.Delivery;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/** Puts each {@link Delivery} on partition {@code edgeSlot mod numPartitions}. */
public final class SlotPartitioner implements StreamPartitioner<String, Delivery> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, Delivery value, int numPartitions) {
        return Optional.of(Set.of(partitionOf(value.edgeSlot(), numPartitions)));
    }

    /** The partition of {@code slot} in a topic of {@code numPartitions}. */
    public static int partitionOf(int slot, int numPartitions) {
        return Math.floorMod(slot, numPartitions);
    }
}
