/*
 * RecordingPublisher owns the test double of our own CommandPublisher seam: it records what the
 * socket layer would have sent to Kafka, and can be told to fail every publish.
 */
package io.parley.edge.publish;

import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

public final class RecordingPublisher implements CommandPublisher {
    public final List<RoomCommand> roomCommands = new CopyOnWriteArrayList<>();
    public final List<UserEvent> userEvents = new CopyOnWriteArrayList<>();
    public final List<EdgeHeartbeat> heartbeats = new CopyOnWriteArrayList<>();
    private volatile Exception failWith;

    /** From now on every publish fails with {@code failure} (null: succeed again). */
    public void failWith(Exception failure) {
        this.failWith = failure;
    }

    @Override
    public void publish(RoomCommand command, Outcome outcome) {
        roomCommands.add(command);
        outcome.completed(failWith);
    }

    @Override
    public void publish(UserEvent event, Outcome outcome) {
        userEvents.add(event);
        outcome.completed(failWith);
    }

    @Override
    public void publish(EdgeHeartbeat heartbeat, Outcome outcome) {
        heartbeats.add(heartbeat);
        outcome.completed(failWith);
    }

    @Override
    public boolean isRunning() {
        return true;
    }

    @Override
    public void close(long timeoutMs) {
    }
}
