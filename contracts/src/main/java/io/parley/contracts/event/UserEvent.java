package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a user's connections do, published by edge nodes to {@code user-events} (key: user id):
 * connects, disconnects, and one accounting record per message the edge let through, from which
 * the user processor computes rate limits across all of the user's devices and nodes.
 */
public record UserEvent(String eventId, String userId, String edgeNodeId, int edgeSlot, String connectionId,
                        long timestamp, Body body) {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Connected.class, name = "connected"),
            @JsonSubTypes.Type(value = Disconnected.class, name = "disconnected"),
            @JsonSubTypes.Type(value = MessageAttempt.class, name = "message-attempt")})
    public sealed interface Body permits Connected, Disconnected, MessageAttempt {}

    public record Connected() implements Body {}

    public record Disconnected(String reason) implements Body {}

    /** The edge forwarded a send-message of this user (whatever the room processor then decides). */
    public record MessageAttempt(String roomId) implements Body {}
}
