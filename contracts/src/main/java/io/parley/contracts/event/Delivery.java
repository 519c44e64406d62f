package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.wire.ErrorBody;

/**
 * A result addressed to one edge node, on {@code deliveries} (key: edge node id; partition: the
 * node's slot, {@code edgeSlot}). One record per edge node holding sockets of a room, never one
 * per recipient: the node fans out in memory.
 */
public record Delivery(String edgeNodeId, int edgeSlot, Body body) {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = ToRoom.class, name = "to-room"),
            @JsonSubTypes.Type(value = Reply.class, name = "reply"),
            @JsonSubTypes.Type(value = RateLimit.class, name = "rate-limit")})
    public sealed interface Body permits ToRoom, Reply, RateLimit {}

    /**
     * A server event for every socket of this node subscribed to {@code roomId}. {@code seq} lets
     * the node drop what it already delivered after a reprocessing.
     */
    public record ToRoom(String roomId, long seq, String event, JsonNode data) implements Body {}

    /** The reply to one request ({@code ref}) of one connection: ok with data, or an error. */
    public record Reply(String connectionId, String ref, boolean ok, JsonNode data, ErrorBody error) implements Body {}

    /**
     * A rate-limit decision for a user: refuse their sends on this node until
     * {@code blockedUntil} (epoch ms); a later decision replaces an earlier one.
     */
    public record RateLimit(String userId, long blockedUntil) implements Body {}
}
