/*
 * BroadcastPartitioner owns the multicast of a record to every partition of a topic (KIP-837):
 * how a node expiry reaches every task of the presence and room stages.
 */
package io.parley.processors.lease;

import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Sends each record to all partitions. */
public final class BroadcastPartitioner<V> implements StreamPartitioner<String, V> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
    }
}
