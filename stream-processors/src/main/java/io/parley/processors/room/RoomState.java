/*
 * RoomState owns the room stage's shared access to its one store (room-state) and its output:
 * the point lookups every stage needs (a room's head, routing table, a user's connections), the
 * routing targets, applying a decision's writes, and forwarding a decision's outputs under their
 * keys. One store for every stage keeps the crash-safety ordering (RoomProcessor) in one changelog.
 */
package io.parley.processors.room;

import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.processors.room.RoomEntry.ConnRef;
import io.parley.processors.room.RoomEntry.Connections;
import io.parley.processors.room.RoomEntry.Head;
import io.parley.processors.room.RoomEntry.NodeRef;
import io.parley.processors.room.RoomEntry.Nodes;
import io.parley.processors.room.RoomEntry.Write;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The room-state store and the processor context, shared by the room stage's concerns. */
final class RoomState {
    final ProcessorContext<String, Object> context;
    final KeyValueStore<String, RoomEntry> store;

    RoomState(ProcessorContext<String, Object> context, KeyValueStore<String, RoomEntry> store) {
        this.context = context;
        this.store = store;
    }

    Head head(String roomId) {
        return store.get(RoomKeys.head(roomId)) instanceof Head head ? head : Head.EMPTY;
    }

    /** A mutable, sorted copy of the room's routing table. */
    Map<String, NodeRef> nodes(String roomId) {
        return store.get(RoomKeys.nodes(roomId)) instanceof Nodes nodes ? new TreeMap<>(nodes.nodes()) : new TreeMap<>();
    }

    /** A mutable, sorted copy of a (room, user)'s connections. */
    Map<String, ConnRef> connections(String key) {
        return store.get(key) instanceof Connections c ? new TreeMap<>(c.connections()) : new TreeMap<>();
    }

    static List<Decision.Target> targets(Map<String, NodeRef> nodes) {
        List<Decision.Target> targets = new ArrayList<>(nodes.size());
        new TreeMap<>(nodes).forEach((id, node) -> targets.add(new Decision.Target(id, node.slot())));
        return List.copyOf(targets);
    }

    void write(Write write) {
        if (write.value() == null) {
            store.delete(write.key());
        } else {
            store.put(write.key(), write.value());
        }
    }

    /** Forwards a decision's outputs: deliveries keyed by edge node, user events by user, room events by room. */
    void emit(Record<String, Object> record, RoomCommand command, Decision decision) {
        emit(record, command, decision, null, null);
    }

    /** {@link #emit}; {@code missedAfter}, {@code addedBy}: see {@link Decision#outputs(RoomCommand, Long, String)}. */
    void emit(Record<String, Object> record, RoomCommand command, Decision decision, Long missedAfter, String addedBy) {
        for (Object out : decision.outputs(command, missedAfter, addedBy)) {
            String key = out instanceof Delivery delivery ? delivery.edgeNodeId()
                    : out instanceof UserEvent userEvent ? userEvent.userId() : command.roomId();
            context.forward(record.withKey(key).withValue(out));
        }
    }

    /** Forwards one delivery, keyed by its edge node. */
    void deliver(Record<String, ?> record, Delivery delivery) {
        context.forward(record.withKey(delivery.edgeNodeId()).withValue(delivery));
    }
}
