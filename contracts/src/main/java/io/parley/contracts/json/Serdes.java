package io.parley.contracts.json;

import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.event.UserPresence;

/** The value serde of every topic of the catalog (keys are UTF-8 strings). */
public final class Serdes {
    private Serdes() {}

    public static JsonSerde<RoomCommand> roomCommand() { return new JsonSerde<>(RoomCommand.class); }

    public static JsonSerde<RoomEvent> roomEvent() { return new JsonSerde<>(RoomEvent.class); }

    public static JsonSerde<UserEvent> userEvent() { return new JsonSerde<>(UserEvent.class); }

    public static JsonSerde<Delivery> delivery() { return new JsonSerde<>(Delivery.class); }

    public static JsonSerde<EdgeHeartbeat> edgeHeartbeat() { return new JsonSerde<>(EdgeHeartbeat.class); }

    public static JsonSerde<UserPresence> userPresence() { return new JsonSerde<>(UserPresence.class); }
}
