// Owns the result of one history read: messages in ascending seq order and whether more exist.
package io.parley.history.cql;

import java.util.List;

/**
 * @param hasMore for {@code after}: messages exist beyond the last one; for {@code before} and
 *                latest: older messages exist before the first one
 */
public record Page(List<StoredMessage> messages, boolean hasMore) {
    public Page {
        messages = List.copyOf(messages);
    }
}
