// Owns the writer's unit of work: one room-events record, as raw as it came and decoded where known.
package io.parley.history.writer;

import io.parley.contracts.event.RoomEvent;

/**
 * One record of {@code room-events}: its envelope fields, the record value verbatim
 * ({@code payload}, UTF-8 JSON, what the replay API serves), and the decoded {@link RoomEvent} when
 * its body type is one this build knows ({@code event} null for a type added later: it is still
 * stored raw).
 *
 * @param type      the body's {@code type} ({@code message-sent}, ...), null if absent
 * @param timestamp the event's {@code timestamp} (epoch ms), 0 if absent
 */
public record LoggedEvent(String roomId, long seq, String type, String eventId, String userId, long timestamp,
                          String payload, RoomEvent event) {

    /** A known event with its payload (tests, tools). */
    public static LoggedEvent of(RoomEvent event, String payload) {
        return new LoggedEvent(event.roomId(), event.seq(), EventDecoder.typeOf(event.body()), event.eventId(),
                event.userId(), event.timestamp(), payload, event);
    }
}
