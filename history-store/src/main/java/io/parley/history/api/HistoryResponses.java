// Owns the JSON shapes of the history API's answers (pages and errors).
package io.parley.history.api;

import io.parley.contracts.wire.ErrorBody;
import io.parley.history.cql.Page;
import io.parley.history.cql.StoredMessage;

import java.util.List;

/** Response bodies, serialised with contracts' {@code Json} (null fields are left out). */
public final class HistoryResponses {
    private HistoryResponses() {}

    /**
     * {@code {"roomId":..,"messages":[...],"hasMore":bool,"readSeq":n}}, messages in ascending seq
     * order; {@code readSeq}: the caller's read position in the room (0: none), so a client on a
     * new device counts unread messages (those with a higher seq).
     */
    public record HistoryPage(String roomId, List<MessageView> messages, boolean hasMore, long readSeq) {
        public static HistoryPage of(String roomId, Page page) {
            return of(roomId, page, 0);
        }

        public static HistoryPage of(String roomId, Page page, long readSeq) {
            return new HistoryPage(roomId, page.messages().stream().map(MessageView::of).toList(), page.hasMore(), readSeq);
        }
    }

    /** {@code {"roomId":..,"positions":[{"userId":..,"readSeq":..}]}}, by user id. */
    public record ReadPositionsView(String roomId, List<ReadPositionView> positions) {}

    public record ReadPositionView(String userId, long readSeq) {}

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
