// Owns the JSON shapes of the history API's answers (pages and errors).
package io.parley.history.api;

import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.history.cql.Page;
import io.parley.history.cql.StoredMessage;

import java.util.List;

/** Response bodies, serialised with contracts' {@code Json} (null fields are left out). */
public final class HistoryResponses {
    private HistoryResponses() {}

    /**
     * {@code {"roomId":..,"messages":[...],"hasMore":bool,"readSeq":n}}, messages (seed 004's message
     * objects: id, roomId, userId, content, messageType, createdAt, user, seq, ...) in ascending seq
     * order; {@code readSeq}: the caller's read position in the room (0: none), so a client on a
     * new device counts unread messages (those with a higher seq); {@code storedSeq}: the highest
     * seq of any event of the room the store had applied before the page was read, so the page
     * holds every message of its range up to it (the edge's resume waits for it to catch up).
     */
    public record HistoryPage(String roomId, List<Protocol.Message> messages, boolean hasMore, long readSeq, long storedSeq) {
        public static HistoryPage of(String roomId, Page page) {
            return of(roomId, page, 0, 0);
        }

        public static HistoryPage of(String roomId, Page page, long readSeq, long storedSeq) {
            return new HistoryPage(roomId, page.messages().stream().map(HistoryResponses::message).toList(), page.hasMore(),
                    readSeq, storedSeq);
        }
    }

    /** {@code {"roomId":..,"positions":[{"userId":..,"readSeq":..}]}}, by user id. */
    public record ReadPositionsView(String roomId, List<ReadPositionView> positions) {}

    public record ReadPositionView(String userId, long readSeq) {}

    /** A stored message as seed 004's message object, the same shape as new-message's data. */
    static Protocol.Message message(StoredMessage m) {
        return new Protocol.Message(m.messageId(), m.roomId(), m.senderId(), m.content(), m.messageType(),
                Protocol.isoTime(m.sentAt()), Protocol.User.of(m.senderId(), m.username(), m.avatarUrl()),
                m.seq(), m.clientMsgId(), m.replyTo());
    }

    /** {@code {"error":{"code":..,"message":..}}}. */
    public record ErrorResponse(ErrorBody error) {}
}
