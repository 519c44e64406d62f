/*
 * LeaseProcessor owns the liveness of edge nodes as the processors see it: each heartbeat renews
 * the node's lease (timed by the processor's wall clock on arrival); a wall-clock punctuator
 * announces, once, every node not heard from within its lease, as a NodeExpired record. No node
 * has to say goodbye: a SIGKILLed node simply stops renewing.
 */
package io.parley.processors.lease;

import io.parley.contracts.EventIds;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.processors.Stores;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Input: edge-nodes (key node id, one partition). Output: {@link NodeExpired} (key node id).
 *
 * <p>After a (re)start nothing expires until one lease has passed since the start: heartbeats
 * queued while the processors were down are read first, so a restart never kills live nodes.
 * A node expired and then heard from again (a long pause, or a restart with the same id) gets a
 * new lease; its connections from before the expiry are gone from the processors' state.
 */
final class LeaseProcessor implements Processor<String, EdgeHeartbeat, String, NodeExpired> {
    private static final Logger log = LoggerFactory.getLogger(LeaseProcessor.class);

    private final Duration tick;
    private ProcessorContext<String, NodeExpired> context;
    private KeyValueStore<String, Lease> store;
    private long startedAt;

    LeaseProcessor(Duration tick) {
        this.tick = tick;
    }

    @Override
    public void init(ProcessorContext<String, NodeExpired> context) {
        this.context = context;
        this.store = context.getStateStore(Stores.EDGE_LEASES);
        this.startedAt = context.currentSystemTimeMs();
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, EdgeHeartbeat> record) {
        EdgeHeartbeat beat = record.value();
        if (beat == null || beat.edgeNodeId() == null || beat.leaseMs() <= 0) {
            return;
        }
        Lease before = store.get(beat.edgeNodeId());
        if (before != null && before.expired()) {
            log.info("edge node {} is heard from again after its lease expired", beat.edgeNodeId());
        }
        store.put(beat.edgeNodeId(), new Lease(beat.edgeSlot(), context.currentSystemTimeMs(), beat.leaseMs(), false));
        LeaseCounters.RENEWALS.increment();
    }

    private void expire(long now) {
        List<KeyValue<String, Lease>> due = new ArrayList<>();
        try (KeyValueIterator<String, Lease> it = store.all()) {
            it.forEachRemaining(entry -> {
                Lease lease = entry.value;
                if (!lease.expired() && now - Math.max(lease.receivedAt(), startedAt) > lease.leaseMs()) {
                    due.add(entry);
                }
            });
        }
        for (KeyValue<String, Lease> entry : due) {
            Lease lease = entry.value;
            store.put(entry.key, new Lease(lease.slot(), lease.receivedAt(), lease.leaseMs(), true));
            log.info("edge node {} (slot {}) missed its lease of {} ms: dropping its connections",
                    entry.key, lease.slot(), lease.leaseMs());
            context.forward(new Record<>(entry.key, new NodeExpired(entry.key, lease.slot(), EventIds.next(), now), now));
            LeaseCounters.EXPIRIES.increment();
        }
    }
}
