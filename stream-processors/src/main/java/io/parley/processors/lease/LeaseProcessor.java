/*
 * LeaseProcessor owns the liveness of edge nodes as the processors see it, timed by the progress of
 * the edge-nodes log, never by how fast the processors read it: heartbeats renew a node's lease at
 * their log-append time; the processors' own ticks, appended to the same partition about once a
 * second, tell how far the log has moved on. A node expires when a tick read here was appended
 * more than its lease after its last heartbeat. A tick waits behind the same backlog as the
 * heartbeats appended before it, so processing lag alone never expires anyone (issue 10). Nor does an
 * outage of the log itself (a Kafka restart): a tick that follows the previous one by more than
 * {@link #GAP_TICKS} tick periods marks the log's resumption, and
 * every lease counts from there at the earliest, so each node gets a whole lease to be heard again.
 * It also notices restarts (a new boot id) and tells a node that comes back after its expiry.
 */
package io.parley.processors.lease;

import io.parley.contracts.EventIds;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.LeaseTick;
import io.parley.processors.CrashPoints;
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
 * Input: edge-nodes (key node id: {@link EdgeHeartbeat}; key {@value LeaseTick#KEY}: {@link LeaseTick}).
 * Outputs: {@link LeaseTick} (key {@value LeaseTick#KEY}, to edge-nodes), {@link NodeExpired} (key node
 * id, to the presence and room stages), {@link Delivery} (key node id, a {@link Delivery.LeaseExpired}
 * notice to the node's slot).
 *
 * <p>Every decision is a function of the partition's records in log order (record timestamps are
 * the broker's LogAppendTime): the same log gives the same expiries, with ids derived from the
 * tick or boot id that decided them. A tick read again after a crash re-announces the expiries it
 * decided (same ids); the stages downstream find nothing left to drop.
 *
 * <p><b>Crash safety.</b> An expiry (lease or restart) is stored in the node's lease, with the
 * offset of the record that decided it, before its NodeExpired is forwarded (decision remembered,
 * then outputs). After a crash the restored store may be ahead of the records read again (the
 * changelog got writes whose outputs were lost, and even later records' writes); a record read
 * again whose offset a lease remembers re-announces that expiry (same id) and changes nothing, so
 * the same input gives the same NodeExpired whatever the store says by then.
 */
final class LeaseProcessor implements Processor<String, Object, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(LeaseProcessor.class);

    private final Duration tick;
    /** Tick periods between two ticks that make a gap: the log (or this task) was not moving. */
    static final int GAP_TICKS = 3;
    private long lastTickAt = Long.MIN_VALUE;
    private long resumedAt = Long.MIN_VALUE;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Lease> store;

    LeaseProcessor(Duration tick) {
        this.tick = tick;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(Stores.EDGE_LEASES);
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::writeTick);
    }

    /** The punctuator: appends a tick to this task's own partition of edge-nodes. */
    private void writeTick(long now) {
        LeaseTick t = new LeaseTick(EventIds.next(), context.taskId().partition(), now);
        context.forward(new Record<>(LeaseTick.KEY, (Object) t, now));
    }

    @Override
    public void process(Record<String, Object> record) {
        long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
        switch (record.value()) {
            case LeaseTick t -> onTick(t, record.timestamp(), offset);
            case EdgeHeartbeat beat -> onHeartbeat(beat, record.timestamp(), offset);
            case null, default -> { }
        }
    }

    private void onHeartbeat(EdgeHeartbeat beat, long at, long offset) {
        if (beat.edgeNodeId() == null || beat.edgeNodeId().isBlank() || beat.leaseMs() <= 0) {
            return;
        }
        String node = beat.edgeNodeId();
        Lease before = store.get(node);
        NodeExpired again = before == null ? null : before.announcedAt(offset);
        if (again != null) {
            // Read again after a crash: announce what this heartbeat announced, nothing else.
            context.forward(new Record<>(node, (Object) again, at));
            return;
        }
        String boot = beat.bootId();
        if (before != null && boot != null && before.bootId() != null && !boot.equals(before.bootId())) {
            // A new boot: every connection the node had before it is gone, whatever the lease says.
            log.info("edge node {} (slot {}) has a new boot id {} (was {}): dropping its earlier connections",
                    node, beat.edgeSlot(), boot, before.bootId());
            NodeExpired restart = new NodeExpired(node, before.slot(), EventIds.derived(boot, "boot|" + node), at, boot);
            store.put(node, Lease.renewed(beat.edgeSlot(), at, beat.leaseMs(), boot, before.announced()).announce(offset, restart));
            CrashPoints.reach(CrashPoints.LEASE_RESTART_STORED);
            context.forward(new Record<>(node, (Object) restart, at));
            return;
        }
        if (before != null && before.expired()) {
            if (boot == null) {
                // A node without boot ids cannot be told apart from its earlier self: renew, as before.
                log.info("edge node {} is heard from again after its lease expired", node);
                store.put(node, Lease.renewed(beat.edgeSlot(), at, beat.leaseMs(), null, before.announced()));
                return;
            }
            // Same boot, lease gone: its connections were dropped. Tell it (on every such heartbeat,
            // until it comes back with a new boot id); the lease stays expired.
            if (!before.told()) {
                log.info("edge node {} (slot {}) is heard from again after its lease expired: told to reset its sockets",
                        node, beat.edgeSlot());
                store.put(node, before.markTold());
            }
            context.forward(new Record<>(node, (Object) new Delivery(node, beat.edgeSlot(), new Delivery.LeaseExpired(boot)), at));
            return;
        }
        store.put(node, Lease.renewed(beat.edgeSlot(), at, beat.leaseMs(), boot, before == null ? null : before.announced()));
        LeaseCounters.RENEWALS.increment();
    }

    /** The log has reached {@code at}: every lease older than that by more than its length expires. */
    private void onTick(LeaseTick t, long at, long offset) {
        if (t.tickId() == null) {
            return;
        }
        if (lastTickAt != Long.MIN_VALUE && at - lastTickAt > GAP_TICKS * tick.toMillis()) {
            resumedAt = at; // the log moves again after a gap: leases count from here at the earliest
        }
        lastTickAt = Math.max(lastTickAt, at);
        long since = resumedAt;
        List<KeyValue<String, Lease>> due = new ArrayList<>();
        List<NodeExpired> again = new ArrayList<>();
        try (KeyValueIterator<String, Lease> it = store.all()) {
            it.forEachRemaining(entry -> {
                Lease lease = entry.value;
                NodeExpired announced = lease.announcedAt(offset);
                if (announced != null) {
                    again.add(announced); // read again after a crash: the same expiry, whatever the lease says now
                } else if (!lease.expired() && at - Math.max(lease.lastBeatAt(), since) > lease.leaseMs()
                        || lease.expired() && t.tickId().equals(lease.expiredBy())) {
                    due.add(entry);
                }
            });
        }
        for (NodeExpired expiry : again) {
            context.forward(new Record<>(expiry.edgeNodeId(), (Object) expiry, at));
        }
        for (KeyValue<String, Lease> entry : due) {
            Lease lease = entry.value;
            NodeExpired expiry = new NodeExpired(entry.key, lease.slot(), EventIds.derived(t.tickId(), "lease|" + entry.key), at);
            if (!lease.expired()) {
                store.put(entry.key, lease.expiredBy(t.tickId()).announce(offset, expiry));
                CrashPoints.reach(CrashPoints.LEASE_EXPIRY_STORED);
                log.info("edge node {} (slot {}) missed its lease of {} ms (last heartbeat {} ms before the log's tick): dropping its connections",
                        entry.key, lease.slot(), lease.leaseMs(), at - lease.lastBeatAt());
                LeaseCounters.EXPIRIES.increment();
            }
            context.forward(new Record<>(entry.key, (Object) expiry, at));
        }
    }
}
