/*
 * RateLimitProcessor owns the per-user rate-limit decisions: it follows the user's connections
 * (connected, disconnected) across edge nodes, takes a message attempt's count of tokens (an
 * edge aggregates a user's sends per window) from the user's bucket, and when the bucket cannot
 * cover them tells every edge node holding the user's sockets (one Delivery.RateLimit per node)
 * until when to refuse the user's sends. A decision already in force is not sent again nor
 * extended, except to a node that did not have it yet.
 */
package io.parley.processors.ratelimit;

import io.parley.contracts.TokenBucket;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.UserEvent;
import io.parley.processors.Stores;
import io.parley.processors.ratelimit.UserState.ConnRef;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rate-limit processor (input: user-events, key user id; output: {@link Delivery} records,
 * key edge node id). The clock is {@link UserEvent#timestamp()}, never the wall clock.
 *
 * <p>An attempt of {@code count} sends stands for sends an edge already let through (each edge
 * node keeps its own bucket per user and reports a user's sends at most once per window): it
 * takes all {@code count} tokens. When the bucket could not cover them, the bucket goes below
 * empty by what the user's nodes let through beyond it (a debt, bounded by those nodes' own
 * buckets) and the user is refused until it holds a whole token again: over time a user on
 * several nodes gets no more than the limit plus that bounded overshoot.
 *
 * <p>Under at-least-once a replayed attempt takes its tokens again: the error is on the strict side
 * (a user may be limited slightly early after a processor crash), and a decision is only ever
 * replaced by a later one on the edge.
 */
final class RateLimitProcessor implements Processor<String, UserEvent, String, Delivery> {
    private static final Logger log = LoggerFactory.getLogger(RateLimitProcessor.class);

    private final TokenBucket bucket;
    private ProcessorContext<String, Delivery> context;
    private KeyValueStore<String, UserState> store;

    RateLimitProcessor(TokenBucket bucket) {
        this.bucket = bucket;
    }

    @Override
    public void init(ProcessorContext<String, Delivery> context) {
        this.context = context;
        this.store = context.getStateStore(Stores.RATE_LIMIT_USERS);
    }

    @Override
    public void process(Record<String, UserEvent> record) {
        UserEvent event = record.value();
        if (event == null) {
            return;
        }
        if (event.body() instanceof UserEvent.PresenceSet || event.body() instanceof UserEvent.RoomJoined
                || event.body() instanceof UserEvent.RoomLeft) {
            return; // the presence stage's
        }
        if (event.userId() == null || event.body() == null || event.edgeNodeId() == null || event.connectionId() == null) {
            log.warn("user event without userId, edgeNodeId, connectionId or body (event {}): ignored", event.eventId());
            return;
        }
        UserState stored = store.get(event.userId());
        Map<String, ConnRef> connections = stored == null ? new TreeMap<>() : new TreeMap<>(stored.connections());
        Set<String> notified = stored == null ? new TreeSet<>() : new TreeSet<>(stored.notifiedNodes());
        long tokens = stored == null ? bucket.capacity() : stored.tokens();
        long refilledAt = stored == null ? event.timestamp() : stored.refilledAt();
        long blockedUntil = stored == null ? 0 : stored.blockedUntil();
        Map<String, Integer> tell = new TreeMap<>(); // edge node -> slot, of the nodes to send the decision to

        switch (event.body()) {
            case UserEvent.Connected connected -> {
                connections.put(event.connectionId(), new ConnRef(event.edgeNodeId(), event.edgeSlot()));
                if (blockedUntil > event.timestamp() && !notified.contains(event.edgeNodeId())) {
                    tell.put(event.edgeNodeId(), event.edgeSlot()); // a new node joins a decision in force
                }
            }
            case UserEvent.Disconnected disconnected -> connections.remove(event.connectionId());
            case UserEvent.PresenceSet ignored -> { }
            case UserEvent.RoomJoined ignored -> { }
            case UserEvent.RoomLeft ignored -> { }
            case UserEvent.MessageAttempt attempt -> {
                tokens = bucket.refill(tokens, refilledAt, event.timestamp());
                refilledAt = Math.max(refilledAt, event.timestamp());
                long taken = attempt.sends() * TokenBucket.UNITS_PER_TOKEN;
                boolean covered = tokens >= taken;
                tokens -= taken;
                if (!covered) {
                    Map<String, Integer> nodes = nodesOf(connections);
                    nodes.putIfAbsent(event.edgeNodeId(), event.edgeSlot()); // the node it came through, even if its connect is late
                    if (blockedUntil <= event.timestamp()) {
                        // A new decision: until the bucket holds a whole token again (the debt paid).
                        notified.clear();
                        tell.putAll(nodes);
                        blockedUntil = bucket.nextTokenAt(tokens, refilledAt);
                    } else {
                        // In force: not extended (the debt stays in the bucket for the next decision after it lapses).
                        nodes.forEach((node, slot) -> {
                            if (!notified.contains(node)) {
                                tell.put(node, slot);
                            }
                        });
                    }
                }
            }
        }
        notified.addAll(tell.keySet());
        notified.retainAll(nodesOf(connections).keySet()); // a node that comes back must be told again

        long full = bucket.refill(tokens, refilledAt, event.timestamp());
        if (connections.isEmpty() && full == bucket.capacity() && blockedUntil <= event.timestamp()) {
            store.delete(event.userId()); // nothing to remember: a fresh state is the same
        } else {
            store.put(event.userId(), new UserState(connections, tokens, refilledAt, blockedUntil, notified));
        }
        long decision = blockedUntil;
        tell.forEach((node, slot) -> context.forward(record.withKey(node)
                .withValue(new Delivery(node, slot, new Delivery.RateLimit(event.userId(), decision)))));
    }

    /** The distinct edge nodes holding the connections, with their slots, sorted by node id. */
    private static Map<String, Integer> nodesOf(Map<String, ConnRef> connections) {
        Map<String, Integer> nodes = new TreeMap<>();
        connections.values().forEach(c -> nodes.put(c.edgeNodeId(), c.slot()));
        return nodes;
    }
}
