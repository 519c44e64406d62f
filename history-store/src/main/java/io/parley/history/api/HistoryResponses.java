// Owns the JSON shapes of the history API's answers (pages and errors).
package io.parley.history.api;

import io.parley.contracts.wire.ErrorBody;
import io.parley.history.cql.Page;
import io.parley.history.cql.StoredMessage;

import java.util.List;

/** Response bodies, serialised with contracts' {@code Json} (null fields are left out). */
public final class HistoryResponses {
    private HistoryResponses() {}

    /** {@code {"roomId":..,"messages":[...],"hasMore":bool}}, messages in ascending seq order. */
    public record HistoryPage(String roomId, List<MessageView> messages, boolean hasMore) {
        public static HistoryPage of(String roomId, Page page) {
            return new HistoryPage(roomId, page.messages().stream().map(MessageView::of).toList(), page.hasMore());
        }
    }

    /** @param sentAt epoch milliseconds at which the edge accepted the message */
    public record MessageView(long seq, String messageId, String senderId, String text, String clientMsgId,
                              String replyTo, long sentAt) {
        static MessageView of(StoredMessage m) {
            return new MessageView(m.seq(), m.messageId(), m.senderId(), m.text(), m.clientMsgId(), m.replyTo(), m.sentAt());
        }
    }

    /** {@code {"error":{"code":..,"message":..}}}. */
    public record ErrorResponse(ErrorBody error) {}
}
