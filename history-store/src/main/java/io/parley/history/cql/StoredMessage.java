// Owns the shape of one row of the messages table as the history store reads and writes it.
package io.parley.history.cql;

/**
 * One stored message. {@code clientMsgId}, {@code replyTo}, {@code username}, {@code avatarUrl} may
 * be null; {@code messageType} is "text" for rows written before it existed.
 *
 * @param content the message content (column {@code body})
 * @param sentAt  epoch milliseconds at which the edge accepted the message (the event timestamp)
 */
public record StoredMessage(String roomId, long seq, String messageId, String senderId, String content,
                            String messageType, String username, String avatarUrl,
                            String clientMsgId, String replyTo, String eventId, long sentAt) {
}
