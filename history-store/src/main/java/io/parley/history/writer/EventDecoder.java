// Owns decoding a room-events record value into a LoggedEvent: the known types through the contracts'
// serde, unknown (newer) types through their envelope only, so nothing of the log is dropped.
package io.parley.history.writer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.Limits;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.json.JsonSerde;
import io.parley.contracts.json.Serdes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes record values of {@code room-events}. A value whose body type this build knows becomes a
 * {@link LoggedEvent} with its {@link RoomEvent}; one with another type (a room event type added by
 * a newer processor) keeps only its envelope ({@code event} null), stored raw all the same. A value
 * that is not JSON, or lacks a valid room id or a seq >= 1, is refused (null): it is no room event.
 */
public final class EventDecoder {
    private static final Map<Class<?>, String> TYPE_NAMES = typeNames();

    private final JsonSerde<RoomEvent> serde = Serdes.roomEvent();

    /** The event, or null if the value is no room event (the caller logs and skips it). */
    public LoggedEvent decode(String topic, byte[] value) {
        if (value == null) {
            return null;
        }
        String payload = new String(value, StandardCharsets.UTF_8);
        RoomEvent event;
        try {
            event = serde.deserialize(topic, value);
        } catch (RuntimeException e) {
            return envelopeOnly(payload);
        }
        if (event == null || !Limits.isValidRoomId(event.roomId()) || event.seq() < 1 || event.body() == null) {
            return event != null && event.body() == null ? envelopeOnly(payload) : null;
        }
        return new LoggedEvent(event.roomId(), event.seq(), typeOf(event.body()), event.eventId(), event.userId(),
                event.timestamp(), payload, event);
    }

    /** A body type this build does not decode: envelope fields only. */
    private static LoggedEvent envelopeOnly(String payload) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            return null;
        }
        if (tree == null || !tree.isObject()) {
            return null;
        }
        String roomId = text(tree, "roomId");
        long seq = tree.path("seq").asLong(0);
        if (!Limits.isValidRoomId(roomId) || seq < 1) {
            return null;
        }
        return new LoggedEvent(roomId, seq, text(tree.path("body"), "type"), text(tree, "eventId"), text(tree, "userId"),
                tree.path("timestamp").asLong(0), payload, null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    /** The wire name of a body ({@code message-sent}, ...), from the contracts' subtype table. */
    public static String typeOf(RoomEvent.Body body) {
        return body == null ? null : TYPE_NAMES.get(body.getClass());
    }

    private static Map<Class<?>, String> typeNames() {
        Map<Class<?>, String> names = new HashMap<>();
        JsonSubTypes subTypes = RoomEvent.Body.class.getAnnotation(JsonSubTypes.class);
        for (JsonSubTypes.Type type : subTypes.value()) {
            names.put(type.value(), type.name());
        }
        return names;
    }
}
