/*
 * LeaseTopology owns the wiring of the node-lease stage: edge-nodes (heartbeats keyed by node id,
 * and the stage's own ticks) into the lease processor with its store; ticks go back to edge-nodes,
 * lease-expired notices to the node's deliveries slot, and the NodeExpired records are returned
 * for the presence and room stages, which each broadcast them to all their partitions through an
 * internal topic.
 */
package io.parley.processors.lease;

import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.LeaseTick;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.SlotPartitioner;
import io.parley.processors.Stores;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

import java.time.Duration;

/** Adds the node-lease stage to a {@link StreamsBuilder}. */
public final class LeaseTopology {
    private final ProcessorsConfig config;

    public LeaseTopology(ProcessorsConfig config) {
        this.config = config;
    }

    /** The stream of node expiries (key node id), not yet distributed. */
    public KStream<String, NodeExpired> build(StreamsBuilder builder) {
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.EDGE_LEASES),
                        Serdes.String(), Lease.serde())
                .withCachingDisabled());
        Duration tick = Duration.ofMillis(config.leaseTickMs());
        String edgeNodes = config.topic(Topic.EDGE_NODES);
        KStream<String, Object> out = builder.stream(edgeNodes,
                        Consumed.with(Serdes.String(), new EdgeNodesSerde()).withName("edge-nodes-source"))
                .process(() -> new LeaseProcessor(tick), Named.as("lease-processor"), Stores.EDGE_LEASES);

        out.filter((key, value) -> value instanceof LeaseTick, Named.as("lease-ticks-only"))
                .to(edgeNodes, Produced.with(Serdes.String(), new EdgeNodesSerde())
                        .withStreamPartitioner(new TickPartitioner())
                        .withName("lease-ticks-sink"));

        out.filter((key, value) -> value instanceof Delivery, Named.as("lease-notices-only"))
                .mapValues(value -> (Delivery) value, Named.as("as-lease-notice"))
                .to(config.topic(Topic.DELIVERIES), Produced.with(Serdes.String(), io.parley.contracts.json.Serdes.delivery())
                        .withStreamPartitioner(new SlotPartitioner())
                        .withName("lease-notices-sink"));

        return out.filter((key, value) -> value instanceof NodeExpired, Named.as("lease-expiries-only"))
                .mapValues(value -> (NodeExpired) value, Named.as("as-node-expired"));
    }

    /** {@code expiries} copied to every one of {@code partitions} partitions of an internal topic {@code name}. */
    public static KStream<String, NodeExpired> broadcast(KStream<String, NodeExpired> expiries, String name, int partitions) {
        return expiries.repartition(Repartitioned.<String, NodeExpired>as(name)
                .withKeySerde(Serdes.String())
                .withValueSerde(NodeExpired.serde())
                .withNumberOfPartitions(partitions)
                .withStreamPartitioner(new BroadcastPartitioner<>()));
    }
}
