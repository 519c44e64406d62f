// Owns the writer's view of storage: a batch of room events in, one success-or-failure out.
package io.parley.history.writer;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where the writer stores a poll's events. Must be idempotent: a batch may be written again after a
 * failure or a restart (at-least-once). The Cassandra implementation is {@code CassandraSink}:
 * every event raw, the known ones also into the messages / membership / read-position tables.
 */
@FunctionalInterface
public interface EventSink {
    CompletionStage<Void> write(List<LoggedEvent> events);
}
