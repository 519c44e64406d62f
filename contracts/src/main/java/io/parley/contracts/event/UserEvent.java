package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a user's connections do, published by edge nodes to {@code user-events} (key: user id):
 * connects, disconnects, and accounting records of the messages the edge let through (at most
 * one per user per edge node and window, with their count), from which the user processor
 * computes rate limits across all of the user's devices and nodes; the
 * user's chosen presence ({@code presence-set}, from the edge); and the user's room memberships
 * ({@code room-joined} / {@code room-left}, written by the room processor when the user's first
 * connection joins or last one leaves a room, or another user adds them), from which the presence stage knows where to send
 * the user's presence changes.
 */
public record UserEvent(String eventId, String userId, String edgeNodeId, int edgeSlot, String connectionId,
                        long timestamp, Body body) {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Connected.class, name = "connected"),
            @JsonSubTypes.Type(value = Disconnected.class, name = "disconnected"),
            @JsonSubTypes.Type(value = MessageAttempt.class, name = "message-attempt"),
            @JsonSubTypes.Type(value = PresenceSet.class, name = "presence-set"),
            @JsonSubTypes.Type(value = RoomJoined.class, name = "room-joined"),
            @JsonSubTypes.Type(value = RoomLeft.class, name = "room-left")})
    public sealed interface Body permits Connected, Disconnected, MessageAttempt, PresenceSet, RoomJoined, RoomLeft {}

    /**
     * A connection opened; {@code username}: the display name from the verified token's standard
     * claims, absent when it has none (the user id is shown), for the presence stage's user-online.
     */
    public record Connected(@JsonInclude(JsonInclude.Include.NON_NULL) String username) implements Body {
        public Connected() {
            this(null);
        }
    }

    public record Disconnected(String reason) implements Body {}

    /**
     * The edge forwarded {@code count} send-messages of this user (whatever the room processor then
     * decides): an aggregate per user per edge node and window (PARLEY_EDGE_ATTEMPT_WINDOW_MS);
     * {@code roomId} is the room of the last of them. {@code count} absent or 0 (older records): 1.
     */
    public record MessageAttempt(String roomId, int count) implements Body {
        /** One send. */
        public MessageAttempt(String roomId) {
            this(roomId, 1);
        }

        /** The sends it stands for: {@code count}, at least 1. */
        public int sends() {
            return Math.max(1, count);
        }
    }

    /**
     * The user chose a status ({@code online}, {@code away}, {@code busy}, {@code dnd}) and/or a
     * custom status text; a null field keeps its value, an empty text clears it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PresenceSet(String status, String customStatus) implements Body {}

    /**
     * Written by the room processor: the user's first connection joined the room ({@code reason}
     * absent), or ({@code reason} {@link #ADDED}) another user made them a member (add-member, a
     * create-room naming them, an open-direct that created the pair's room; {@code seq}: the room
     * seq of that member-added, {@code addedBy}: who added them): the presence stage then asks the
     * room stage to subscribe every open connection of the user to the room; each gets the
     * member-added, then what the room had after it. {@code reason}, {@code seq} and
     * {@code addedBy} added later in v1 (absent in records of before).
     */
    public record RoomJoined(String roomId, @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long seq,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String addedBy) implements Body {
        /** The reason of a membership made by another user. */
        public static final String ADDED = "added";

        /** A connection of the user joined. */
        public RoomJoined(String roomId) {
            this(roomId, null, null, null);
        }

        /** {@code addedBy} made this user a member of {@code roomId} with the room's event {@code seq}. */
        public static RoomJoined added(String roomId, long seq, String addedBy) {
            return new RoomJoined(roomId, ADDED, seq, addedBy);
        }

        public boolean isAdded() {
            return ADDED.equals(reason);
        }
    }

    /**
     * {@code reason} client: the user left the room (leave-room), removed: remove-member ended the
     * membership; disconnect: the user's last connection in the room closed (the membership stays).
     */
    public record RoomLeft(String roomId, String reason) implements Body {}
}
