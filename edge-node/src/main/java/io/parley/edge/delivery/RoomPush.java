/*
 * RoomPush owns the edge's form of a Delivery.ToRoom: its fields with the event's data as an
 * EventData (for a record read by DeliveryDecoder, the record's own JSON text of the data, not a
 * tree), and the data's top-level "id" when it is a string (the message id MessageRooms remembers).
 */
package io.parley.edge.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.event.Delivery;
import io.parley.edge.session.EventData;

/** See {@link Delivery.ToRoom} for the meaning of each field; {@code data} and {@code dataId} may be null. */
public record RoomPush(String roomId, long seq, String event, EventData data, String dataId,
                       String excludeUserId, long acceptedAt, Delivery.Ack ack) {

    /** The same delivery from a decoded record (a test, or a record DeliveryDecoder left to Jackson). */
    public static RoomPush of(Delivery.ToRoom toRoom) {
        JsonNode data = toRoom.data();
        JsonNode id = data == null ? null : data.get("id");
        return new RoomPush(toRoom.roomId(), toRoom.seq(), toRoom.event(), EventData.ofTree(data),
                id != null && id.isTextual() ? id.textValue() : null,
                toRoom.excludeUserId(), toRoom.acceptedAt(), toRoom.ack());
    }

    /** The data as a tree (parsed on first use); null when there is none. */
    public JsonNode dataTree() {
        return data == null ? null : data.tree();
    }
}
