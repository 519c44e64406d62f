/*
 * PresenceTopology owns the wiring of the presence stage: user-events (shared with the rate-limit
 * stage) and the broadcast node expiries into the presence processor with its store; the users'
 * presence to the compacted presence topic; presence diffs, re-keyed by room through the internal
 * presence-fanout topic (partitioned like room-commands), returned for the room stage; the
 * connection-limit closes to deliveries (by edge slot).
 */
package io.parley.processors.presence;

import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.event.UserPresence;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.SlotPartitioner;
import io.parley.processors.Stores;
import io.parley.processors.lease.LeaseTopology;
import io.parley.processors.lease.NodeExpired;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

import java.time.Duration;

/** Adds the presence stage to a {@link StreamsBuilder}. */
public final class PresenceTopology {
    private final ProcessorsConfig config;
    private final PresenceView view;

    public PresenceTopology(ProcessorsConfig config, PresenceView view) {
        this.config = config;
        this.view = view;
    }

    /** The presence diffs keyed by room, partitioned like room-commands. */
    public KStream<String, PresenceFanout> build(StreamsBuilder builder, KStream<String, UserEvent> userEvents,
                                                 KStream<String, NodeExpired> expiries) {
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.PRESENCE_STATE),
                        Serdes.String(), PresenceEntry.serde())
                .withCachingDisabled());

        KStream<String, Object> in = userEvents.mapValues(v -> (Object) v, Named.as("presence-user-events"));
        if (expiries != null) {
            in = in.merge(LeaseTopology.broadcast(expiries, Stores.PRESENCE_NODE_EXPIRY_TOPIC, Topic.USER_EVENTS.partitions())
                    .mapValues(v -> (Object) v, Named.as("presence-node-expiries")), Named.as("presence-inputs"));
        }
        long grace = config.presenceGraceMs();
        long idle = config.presenceIdleMs();
        Duration tick = Duration.ofMillis(config.presenceTickMs());
        int maxPerUser = config.maxConnectionsPerUser();
        KStream<String, Object> out = in.process(() -> new PresenceProcessor(grace, idle, tick, view, maxPerUser),
                Named.as("presence-processor"), Stores.PRESENCE_STATE);

        out.filter((k, v) -> v instanceof UserPresence, Named.as("presence-records-only"))
                .mapValues(v -> (UserPresence) v, Named.as("as-user-presence"))
                .to(config.topic(Topic.PRESENCE), Produced.with(Serdes.String(), io.parley.contracts.json.Serdes.userPresence())
                        .withName("presence-sink"));

        out.filter((k, v) -> v instanceof Delivery, Named.as("presence-deliveries-only"))
                .mapValues(v -> (Delivery) v, Named.as("as-presence-delivery"))
                .to(config.topic(Topic.DELIVERIES), Produced.with(Serdes.String(), io.parley.contracts.json.Serdes.delivery())
                        .withStreamPartitioner(new SlotPartitioner())
                        .withName("presence-deliveries-sink"));

        return out.filter((k, v) -> v instanceof PresenceFanout, Named.as("presence-fanout-only"))
                .mapValues(v -> (PresenceFanout) v, Named.as("as-presence-fanout"))
                .repartition(Repartitioned.<String, PresenceFanout>as(Stores.PRESENCE_FANOUT_TOPIC)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(PresenceFanout.serde())
                        .withNumberOfPartitions(Topic.ROOM_COMMANDS.partitions()));
    }
}
