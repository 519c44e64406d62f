// Owns the shape of one row of the messages table as the history store reads and writes it.
package io.parley.history.cql;

/**
 * One stored message. {@code clientMsgId}, {@code replyTo} may be null.
 *
 * @param sentAt epoch milliseconds at which the edge accepted the message (the event timestamp)
 */
public record StoredMessage(String roomId, long seq, String messageId, String senderId, String text,
                            String clientMsgId, String replyTo, String eventId, long sentAt) {
}
