/*
 * PresenceFanout owns the shape of one record on its way from the presence stage (keyed by user)
 * to the room stage (keyed by room, through the internal presence-fanout topic): a presence change,
 * which the room stage sends as presence-update to every edge node holding sockets of the room,
 * with user-online when the room learns the user is online ({@code cameOnline}) and user-offline
 * when the status is offline; or ({@code subscribe}, update null) a member's connection to
 * subscribe to the room without a join-room (it opened, or another device of the user joined).
 */
package io.parley.processors.presence;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.contracts.json.JsonSerde;
import io.parley.contracts.wire.Protocol;

public record PresenceFanout(String roomId, Protocol.PresenceUpdate update, boolean cameOnline,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String username,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Subscription subscribe) {
    public PresenceFanout(String roomId, Protocol.PresenceUpdate update) {
        this(roomId, update, false, null, null);
    }

    public PresenceFanout(String roomId, Protocol.PresenceUpdate update, boolean cameOnline, String username) {
        this(roomId, update, cameOnline, username, null);
    }

    /** A subscription request for one connection of {@code userId}. */
    public static PresenceFanout subscribe(String roomId, Subscription subscription) {
        return new PresenceFanout(roomId, null, false, null, subscription);
    }

    /**
     * One connection of a member to subscribe; {@code eventId} and {@code timestamp}: those of the
     * user event that caused it (a replay asks the same), from which the room stage derives the
     * subscription's own id. {@code missedAfter} and {@code addedBy}: for an added member, the seq
     * of the member-added and who added them (the connection then gets that member-added and what
     * the room had after it); null otherwise.
     */
    public record Subscription(String eventId, String userId, String connectionId, String edgeNodeId, int edgeSlot,
                               long timestamp, @JsonInclude(JsonInclude.Include.NON_NULL) Long missedAfter,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String addedBy) {
        public Subscription(String eventId, String userId, String connectionId, String edgeNodeId, int edgeSlot, long timestamp) {
            this(eventId, userId, connectionId, edgeNodeId, edgeSlot, timestamp, null, null);
        }
    }

    public static JsonSerde<PresenceFanout> serde() {
        return new JsonSerde<>(PresenceFanout.class);
    }
}
