/*
 * SlotPartitionerTest owns the check that a delivery lands on the partition of its edge node's
 * slot, whatever its key, with slots beyond the partition count wrapping around.
 */
package io.parley.processors;

import io.parley.contracts.event.Delivery;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SlotPartitionerTest {
    private final SlotPartitioner partitioner = new SlotPartitioner();

    @Test
    void theSlotIsThePartition() {
        for (int slot = 0; slot < 16; slot++) {
            Delivery delivery = new Delivery("edge-" + slot, slot, new Delivery.RateLimit("u", 1));
            assertThat(partitioner.partitions("deliveries", "edge-" + slot, delivery, 16)).isEqualTo(Optional.of(Set.of(slot)));
        }
    }

    @Test
    void slotsBeyondThePartitionCountWrap() {
        Delivery delivery = new Delivery("edge-x", 21, new Delivery.RateLimit("u", 1));
        assertThat(partitioner.partitions("deliveries", "edge-x", delivery, 16)).isEqualTo(Optional.of(Set.of(5)));
        assertThat(SlotPartitioner.partitionOf(-1, 16)).isEqualTo(15);
    }
}
