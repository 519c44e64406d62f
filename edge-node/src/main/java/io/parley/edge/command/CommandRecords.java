/*
 * CommandRecords owns building this node's Kafka records for a connection and handing them to the
 * CommandPublisher: room-commands and user-events records with an event id assigned once, here,
 * this node's id and slot, the clock's timestamp and the token's display fields (username,
 * avatarUrl), never the client's. CommandService, ResumeStarts and MarkReadRouting publish
 * through it.
 */
package io.parley.edge.command;

import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.edge.publish.CommandPublisher;
import io.parley.edge.session.ClientConnection;

import java.util.function.LongSupplier;

/** Thread-safe; never blocks (publishing is asynchronous). */
final class CommandRecords {
    private final String nodeId;
    private final int slot;
    private final CommandPublisher publisher;
    private final LongSupplier clock;

    CommandRecords(String nodeId, int slot, CommandPublisher publisher, LongSupplier clock) {
        this.nodeId = nodeId;
        this.slot = slot;
        this.publisher = publisher;
        this.clock = clock;
    }

    long now() {
        return clock.getAsLong();
    }

    /** A room command of {@code connection}, answered (when {@code ref} is set) on the deliveries path. */
    void publishRoom(ClientConnection connection, String roomId, String ref, RoomCommand.Body body,
                     CommandPublisher.Outcome outcome) {
        publisher.publish(new RoomCommand(EventIds.next(), roomId, connection.userId(), nodeId, slot,
                connection.connectionId(), ref, clock.getAsLong(), body,
                displayName(connection), connection.avatarUrl()), outcome);
    }

    /** The leave-room (reason disconnect) of a connection this node no longer has. */
    void publishGoneLeave(String userId, String connectionId, String roomId) {
        publisher.publish(new RoomCommand(EventIds.next(), roomId, userId, nodeId, slot, connectionId, null,
                clock.getAsLong(), new RoomCommand.Leave("disconnect")), CommandPublisher.Outcome.IGNORE);
    }

    void publishUser(ClientConnection connection, UserEvent.Body body, CommandPublisher.Outcome outcome) {
        publisher.publish(new UserEvent(EventIds.next(), connection.userId(), nodeId, slot,
                connection.connectionId(), clock.getAsLong(), body), outcome);
    }

    /** One user-events record of {@code count} message attempts (the AttemptAggregator's sink). */
    void publishAttempt(String userId, String connectionId, long timestamp, String roomId, int count) {
        publisher.publish(new UserEvent(EventIds.next(), userId, nodeId, slot, connectionId, timestamp,
                new UserEvent.MessageAttempt(roomId, count)), CommandPublisher.Outcome.IGNORE);
    }

    /** The token's display name, or null when it is just the user id (the processors fall back to it). */
    static String displayName(ClientConnection connection) {
        String name = connection.username();
        return name == null || name.equals(connection.userId()) ? null : name;
    }
}
