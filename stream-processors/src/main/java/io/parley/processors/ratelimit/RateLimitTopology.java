/*
 * RateLimitTopology owns the wiring of the rate-limit stage: user-events (key user id) into the
 * rate-limit processor with its store, and its decisions to deliveries (key edge node id,
 * partition = the node's slot). It shares nothing with the room stage but the application.
 */
package io.parley.processors.ratelimit;

import io.parley.contracts.Topic;
import io.parley.contracts.TokenBucket;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.SlotPartitioner;
import io.parley.processors.Stores;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import io.parley.contracts.event.UserEvent;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/** Adds the rate-limit stage to a {@link StreamsBuilder}. */
public final class RateLimitTopology {
    private final ProcessorsConfig config;

    public RateLimitTopology(ProcessorsConfig config) {
        this.config = config;
    }

    /** The stage on its own user-events source. */
    public void build(StreamsBuilder builder) {
        build(builder, builder.stream(config.topic(Topic.USER_EVENTS),
                Consumed.with(Serdes.String(), io.parley.contracts.json.Serdes.userEvent()).withName("user-events-source")));
    }

    /** The stage on a user-events stream shared with other stages (a topic has one source per topology). */
    public void build(StreamsBuilder builder, KStream<String, UserEvent> userEvents) {
        // Cached: a user's state is written to RocksDB and its changelog once per commit interval,
        // not once per message. Safe under at-least-once: the cache is flushed before each offset
        // commit, so after a crash the restored state and the replayed user-events start from the
        // same commit, and the stage (one input, event timestamps, no wall clock) decides the same.
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.RATE_LIMIT_USERS),
                        Serdes.String(), UserState.serde())
                .withCachingEnabled());

        TokenBucket bucket = new TokenBucket(config.rateBurst(), config.maxMessagesPerMinute());
        userEvents
                .process(() -> new RateLimitProcessor(bucket), Named.as("ratelimit-processor"), Stores.RATE_LIMIT_USERS)
                .to(config.topic(Topic.DELIVERIES),
                        Produced.with(Serdes.String(), io.parley.contracts.json.Serdes.delivery())
                                .withStreamPartitioner(new SlotPartitioner())
                                .withName("ratelimit-deliveries-sink"));
    }
}
