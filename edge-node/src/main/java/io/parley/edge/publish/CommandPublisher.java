/*
 * CommandPublisher owns the edge's one way out: every socket event becomes a record on a Kafka
 * topic keyed as the contracts say (room commands by room id, user events by user id, heartbeats
 * by node id). The interface is the seam between the socket layer and Kafka; the Kafka
 * implementation is KafkaCommandPublisher, wired in Main.
 */
package io.parley.edge.publish;

import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;

/**
 * Never blocks the caller (a socket's reader thread): a publish is queued and its outcome reported
 * later, on another thread. Records published from one thread keep their order per key.
 */
public interface CommandPublisher {

    /** How a publish ended: {@code failure} is null once the record is in Kafka (acks=all). */
    @FunctionalInterface
    interface Outcome {
        void completed(Exception failure);

        Outcome IGNORE = failure -> { };
    }

    /** To room-commands, key = roomId. */
    void publish(RoomCommand command, Outcome outcome);

    /** To user-events, key = userId. */
    void publish(UserEvent event, Outcome outcome);

    /** To edge-nodes, key = edgeNodeId. */
    void publish(EdgeHeartbeat heartbeat, Outcome outcome);

    /** True while records can be published. */
    boolean isRunning();

    /** Sends what is queued (waiting at most {@code timeoutMs}), then stops. */
    void close(long timeoutMs);
}
