/*
 * RoomTopology owns the wiring of the room stage: room-commands (key room id) into the room
 * processor with its one state store, together with the presence diffs (internal presence-fanout
 * topic, key room id) and the broadcast node expiries; its outputs to room-events (key room id),
 * deliveries (key edge node id, partition = the node's slot) and user-events (membership changes,
 * key user id, for the presence stage).
 */
package io.parley.processors.room;

import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.event.UserEvent;
import io.parley.processors.lease.LeaseTopology;
import io.parley.processors.lease.NodeExpired;
import io.parley.processors.presence.PresenceFanout;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.SlotPartitioner;
import io.parley.processors.Stores;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/** Adds the room stage to a {@link StreamsBuilder}. */
public final class RoomTopology {
    private final ProcessorsConfig config;
    private final KeyValueBytesStoreSupplier storeSupplier;

    public RoomTopology(ProcessorsConfig config) {
        this(config, org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.ROOM_STATE));
    }

    /** {@code storeSupplier}: the room-state store's bytes store (tests wrap it to count its reads and writes). */
    RoomTopology(ProcessorsConfig config, KeyValueBytesStoreSupplier storeSupplier) {
        this.config = config;
        this.storeSupplier = storeSupplier;
    }

    /** The room stage alone (no presence diffs, no node expiries). */
    public void build(StreamsBuilder builder) {
        build(builder, null, null);
    }

    public void build(StreamsBuilder builder, KStream<String, PresenceFanout> presence, KStream<String, NodeExpired> expiries) {
        // No cache: every write reaches the changelog at once and in order (RoomProcessor relies on it).
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(storeSupplier,
                        Serdes.String(), RoomEntry.serde())
                .withCachingDisabled());

        int maxMessageLength = config.maxMessageLength();
        long typingTimeoutMs = config.typingTimeoutMs();
        KStream<String, Object> in = builder
                .stream(config.topic(Topic.ROOM_COMMANDS),
                        Consumed.with(Serdes.String(), io.parley.contracts.json.Serdes.roomCommand())
                                .withName("room-commands-source"))
                .mapValues(v -> (Object) v, Named.as("room-commands-in"));
        if (presence != null) {
            in = in.merge(presence.mapValues(v -> (Object) v, Named.as("room-presence-in")), Named.as("room-with-presence"));
        }
        if (expiries != null) {
            in = in.merge(LeaseTopology.broadcast(expiries, Stores.ROOM_NODE_EXPIRY_TOPIC, Topic.ROOM_COMMANDS.partitions())
                    .mapValues(v -> (Object) v, Named.as("room-node-expiries-in")), Named.as("room-with-expiries"));
        }
        KStream<String, Object> out = in.process(() -> new RoomProcessor(maxMessageLength, typingTimeoutMs), Named.as("room-processor"),
                Stores.ROOM_STATE);

        out.filter((key, value) -> value instanceof UserEvent, Named.as("room-memberships-only"))
                .mapValues(value -> (UserEvent) value, Named.as("as-membership"))
                .to(config.topic(Topic.USER_EVENTS),
                        Produced.with(Serdes.String(), io.parley.contracts.json.Serdes.userEvent())
                                .withName("room-memberships-sink"));

        out.filter((key, value) -> value instanceof RoomEvent, Named.as("room-events-only"))
                .mapValues(value -> (RoomEvent) value, Named.as("as-room-event"))
                .to(config.topic(Topic.ROOM_EVENTS),
                        Produced.with(Serdes.String(), io.parley.contracts.json.Serdes.roomEvent())
                                .withName("room-events-sink"));

        out.filter((key, value) -> value instanceof Delivery, Named.as("room-deliveries-only"))
                .mapValues(value -> (Delivery) value, Named.as("as-room-delivery"))
                .to(config.topic(Topic.DELIVERIES),
                        Produced.with(Serdes.String(), io.parley.contracts.json.Serdes.delivery())
                                .withStreamPartitioner(new SlotPartitioner())
                                .withName("room-deliveries-sink"));
    }
}
