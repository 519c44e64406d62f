/*
 * RoomKeys owns the key layout of the room-state store: one string key space with a one-letter
 * kind prefix, so every lookup on the message path is a point lookup and decisions can be expired
 * by one range scan (their keys sort by time: the event id's own, a ULID's). A message's decision
 * is found from the message id alone, so it doubles as the message index (one record per message
 * less than a separate index entry). Room ids never contain '|' (Limits.ROOM_ID); user ids may, so
 * they are length-prefixed.
 */
package io.parley.processors.room;

import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomCommand;

/** Keys of the room-state store. Call only with a valid room id. */
final class RoomKeys {
    static final String DONE_PREFIX = "d|";
    static final String TYPING_PREFIX = "y|";
    static final String MESSAGE_PREFIX = "i|";
    /** {@code v|decisions}: the store's {@link RoomEntry.Filing} mark (one key per store partition). */
    static final String FILING = "v|decisions";

    private RoomKeys() {}

    /** {@code h|<roomId>}: the room's {@link RoomEntry.Head}. */
    static String head(String roomId) {
        return "h|" + roomId;
    }

    /** {@code n|<roomId>}: the room's routing table, {@link RoomEntry.Nodes}. */
    static String nodes(String roomId) {
        return "n|" + roomId;
    }

    /** {@code c|<roomId>|<len>:<userId>}: the user's {@link RoomEntry.Connections} in the room. */
    static String connections(String roomId, String userId) {
        return "c|" + roomId + "|" + userId.length() + ":" + userId;
    }

    /** {@code m|<roomId>|<len>:<userId>|<clientMsgId>}: the original ack, {@link RoomEntry.ClientMsg}. */
    static String clientMsg(String roomId, String userId, String clientMsgId) {
        return "m|" + roomId + "|" + userId.length() + ":" + userId + "|" + clientMsgId;
    }

    /**
     * {@code x|<edgeNodeId>|<roomId>|<len>:<userId>|<connectionId>}: a connection of the node in the
     * room ({@link RoomEntry.NodeConn}), so an expired node's connections are one range scan.
     * Edge node ids never contain '|' (EdgeConfig).
     */
    static String nodeConn(String edgeNodeId, String roomId, String userId, String connectionId) {
        return nodePrefix(edgeNodeId) + roomId + "|" + userId.length() + ":" + userId + "|" + connectionId;
    }

    static String nodePrefix(String edgeNodeId) {
        return "x|" + edgeNodeId + "|";
    }

    /** {room, user, connection} of a {@link #nodeConn} key. */
    static String[] ofNodeConn(String key, String edgeNodeId) {
        String rest = key.substring(nodePrefix(edgeNodeId).length());
        int bar = rest.indexOf('|');
        String room = rest.substring(0, bar);
        int colon = rest.indexOf(':', bar);
        int length = Integer.parseInt(rest.substring(bar + 1, colon));
        String user = rest.substring(colon + 1, colon + 1 + length);
        return new String[] {room, user, rest.substring(colon + 1 + length + 1)};
    }

    /** {@code o|<roomId>}: the created room's {@link RoomEntry.Room} (absent: a room made by a join). */
    static String room(String roomId) {
        return "o|" + roomId;
    }

    static final String IDLE_PREFIX = "e|";

    /** {@code e|<roomId>}: the room's {@link RoomEntry.IdleTimer} (rooms created with idle expiry only). */
    static String idle(String roomId) {
        return IDLE_PREFIX + roomId;
    }

    /** {@code u|<roomId>|<len>:<userId>}: the user's {@link RoomEntry.Member} entry in the room (any room, created or made by a join). */
    static String member(String roomId, String userId) {
        return "u|" + roomId + "|" + userId.length() + ":" + userId;
    }

    /**
     * {@code l|<roomId>|<len>:<userId>}: the user left the room by leave-room while muted
     * ({@link RoomEntry.LeftMuted}); their next membership (a join or add-member) starts muted.
     */
    static String leftMuted(String roomId, String userId) {
        return "l|" + roomId + "|" + userId.length() + ":" + userId;
    }

    /** {@code r|<roomId>|<len>:<userId>}: the user's {@link RoomEntry.ReadPos} in the room (forward only). */
    static String readPosition(String roomId, String userId) {
        return "r|" + roomId + "|" + userId.length() + ":" + userId;
    }

    /**
     * {@code i|<roomId>|<messageId>}: the message's {@link RoomEntry.MsgSeq}, as written before the
     * decision became the index ({@link #doneOfMessage}); read for entries still kept (they expire
     * with their decisions within {@link io.parley.processors.Stores#DECISION_RETENTION}), no longer written.
     */
    static String message(String roomId, String messageId) {
        return MESSAGE_PREFIX + roomId + "|" + messageId;
    }

    /** {@code y|<roomId>|<len>:<userId>}: the user's {@link RoomEntry.Typing} state while typing; scanned by the expiry. */
    static String typing(String roomId, String userId) {
        return TYPING_PREFIX + roomId + "|" + userId.length() + ":" + userId;
    }

    /**
     * The key of {@code command}'s {@link RoomEntry.Done}: filed under its event id's time (event
     * ids are ULIDs), so that {@link #doneOfMessage} finds a message's decision from its id; an id
     * that is not a ULID is filed under the command's timestamp.
     */
    static String done(RoomCommand command) {
        return done(idTime(command.eventId(), command.timestamp()), command.eventId());
    }

    /**
     * The key under which the decision of the message {@code messageId} (its send's event id) is
     * filed by {@link #done(RoomCommand)}; null when the id is not a ULID (no such decision).
     */
    static String doneOfMessage(String messageId) {
        long time = idTime(messageId, -1);
        return time < 0 ? null : done(time, messageId);
    }

    /** The key a decision made before {@link #done(RoomCommand)} was filed under (its command's timestamp). */
    static String legacyDone(RoomCommand command) {
        return done(command.timestamp(), command.eventId());
    }

    private static long idTime(String eventId, long fallback) {
        try {
            return EventIds.timestampOf(eventId);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    /** {@code d|<timestamp, 19 digits>|<eventId>}: the command's {@link RoomEntry.Done}; sorts by time. */
    static String done(long timestamp, String eventId) {
        return DONE_PREFIX + paddedTime(timestamp) + "|" + eventId;
    }

    /** The first key after every decision made at or before {@code timestamp}. */
    static String doneUpperBound(long timestamp) {
        return DONE_PREFIX + paddedTime(timestamp) + "|\uffff";
    }

    /** The event id of a {@link #done} key. */
    static String eventIdOfDone(String doneKey) {
        return doneKey.substring(DONE_PREFIX.length() + 19 + 1);
    }

    private static String paddedTime(long timestamp) {
        String digits = Long.toString(Math.max(0, timestamp));
        return "0".repeat(19 - digits.length()) + digits;
    }
}
