// Owns the read side of the raw room events for the replay API (the writes are RawEventStore's).
package io.parley.history.cql;

import java.io.IOException;

/** A room's events as they are on room-events, streamed in seq order. */
public interface EventLog {
    /** Receives each event's payload (the record value, UTF-8 JSON) in order. */
    @FunctionalInterface
    interface Out {
        void event(String payload) throws IOException;
    }

    /**
     * Streams the room's events of {@code range} to {@code out}, one partition page at a time
     * (memory bounded by a page, whatever the room's size); returns how many were sent.
     */
    long replay(String roomId, ReplayRange range, Out out) throws IOException;
}
