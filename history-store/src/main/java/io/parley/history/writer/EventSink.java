// Owns the writer's view of storage: a batch of room events in, one success-or-failure out.
package io.parley.history.writer;

import io.parley.contracts.event.RoomEvent;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where the writer stores a poll's events. Must be idempotent: a batch may be written again after a
 * failure or a restart (at-least-once). The Cassandra implementation is {@code MessageStore::write}.
 */
@FunctionalInterface
public interface EventSink {
    CompletionStage<Void> write(List<RoomEvent> events);
}
