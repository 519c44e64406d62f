/*
 * HistorySource owns how a recovery reads a room's missed messages: one page of the history
 * store's messages after a seq, ascending, with how far the store is complete (storedSeq).
 */
package io.parley.edge.recovery;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** Blocking (called on a recovery's own virtual thread); thread-safe. */
public interface HistorySource {

    /**
     * @param messages  up to {@code limit} message objects with seq > afterSeq, ascending
     * @param hasMore   more messages follow the page
     * @param storedSeq every message of the room with a seq at or below it is in the store (read before the page)
     */
    record Page(List<JsonNode> messages, boolean hasMore, long storedSeq) {}

    /** The page, read as {@code userId} (a member of the room); throws {@link Unavailable} when it cannot be read now. */
    Page page(String userId, String roomId, long afterSeq, int limit) throws Unavailable;

    /** The store could not answer now (down, lagging behind the user's join: 403, timeout): try again later. */
    final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }
}
