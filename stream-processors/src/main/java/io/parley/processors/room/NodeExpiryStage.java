/*
 * NodeExpiryStage owns what the room stage does when an edge node's lease expires (or the node
 * restarted): every connection of that node in this task's rooms leaves as if its socket had
 * closed, found by one range scan over the x| index (remembered per expiry: NodeExpiryLeaves) and
 * decided through the ordinary leave path.
 */
package io.parley.processors.room;

import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomCommand;
import io.parley.processors.CrashPoints;
import io.parley.processors.lease.NodeExpired;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Turns a node expiry into synthetic leave-room commands handled like any other. */
final class NodeExpiryStage {
    private static final Logger log = LoggerFactory.getLogger(NodeExpiryStage.class);

    private final RoomState state;
    private final Handler handle;

    /** The room processor's handling of one command (decision, outputs, typing stop), with a test crash point. */
    interface Handler {
        void handle(Record<String, Object> record, RoomCommand command, String crashPoint);
    }

    NodeExpiryStage(RoomState state, Handler handle) {
        this.state = state;
        this.handle = handle;
    }

    /**
     * An edge node's lease expired (or it restarted: then only connections of its earlier boots,
     * {@link NodeExpired#covers}): each of its connections in this partition's rooms leaves as if
     * its socket had closed (a synthetic leave-room with reason disconnect, id derived from the
     * expiry's, so a replay decides the same). Nothing from the dead node is needed. Which
     * connections leave is decided once and remembered ({@link NodeExpiryLeaves}) before the first
     * leave empties its index entry: a crash anywhere in between, and the expiry read again, gives
     * the same leaves, each re-emitting its original outputs.
     */
    void expire(Record<String, Object> record, NodeExpired expired) {
        List<String> keys = NodeExpiryLeaves.keys(state.store, expired); // remembered before any leave is applied
        for (String key : keys) {
            String[] roomUserConnection = RoomKeys.ofNodeConn(key, expired.edgeNodeId());
            String connectionId = roomUserConnection[2];
            RoomCommand leave = new RoomCommand(EventIds.derived(expired.eventId(), key), roomUserConnection[0],
                    roomUserConnection[1], expired.edgeNodeId(), expired.edgeSlot(), connectionId, null, expired.at(),
                    new RoomCommand.Leave("disconnect"));
            handle.handle(record.withKey(leave.roomId()).withValue(leave), leave, CrashPoints.ROOM_EXPIRY_LEAVE_WRITTEN);
            state.store.delete(key); // normally deleted by the leave's writes; a stale entry must not survive
        }
        if (!keys.isEmpty()) {
            log.info("edge node {} {}: {} room connections left", expired.edgeNodeId(),
                    expired.before() == null ? "expired" : "restarted", keys.size());
        }
    }
}
