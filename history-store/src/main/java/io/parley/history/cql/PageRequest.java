// Owns the three kinds of history page a client can ask for (after, before, latest).
package io.parley.history.cql;

/** What page of a room's history is wanted; every page comes back in ascending seq order. */
public sealed interface PageRequest {
    int limit();

    /** The first {@code limit} messages with seq > {@code seq}. */
    record After(long seq, int limit) implements PageRequest {}

    /** The {@code limit} messages immediately before {@code seq} (seq < {@code seq}). */
    record Before(long seq, int limit) implements PageRequest {}

    /** The latest {@code limit} messages. */
    record Latest(int limit) implements PageRequest {}
}
