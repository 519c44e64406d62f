/*
 * Delivery owns the shape of the records on deliveries: what the processors address to one edge
 * node (a room push, a reply to one connection, a rate-limit decision, a subscription change, a
 * connection refused over the per-user connection limit).
 */
package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonInclude;
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
            @JsonSubTypes.Type(value = RateLimit.class, name = "rate-limit"),
            @JsonSubTypes.Type(value = LeaseExpired.class, name = "lease-expired"),
            @JsonSubTypes.Type(value = Subscribe.class, name = "subscribe"),
            @JsonSubTypes.Type(value = Unsubscribe.class, name = "unsubscribe"),
            @JsonSubTypes.Type(value = ConnectionLimit.class, name = "connection-limit")})
    public sealed interface Body permits ToRoom, Reply, RateLimit, LeaseExpired, Subscribe, Unsubscribe, ConnectionLimit {}

    /**
     * Connection {@code connectionId} of this node, of member {@code userId}, is subscribed to
     * {@code roomId}: the node indexes it in the room (as after an accepted join-room) without the
     * client asking. Sent when a member's connection opens, to a member's other connections when
     * they join a room, and to an added member's open connections. A node that no longer has the
     * connection answers with its leave (reason disconnect), so the room stage does not keep it.
     * {@code lastSeq}, {@code seq} and {@code addedBy} (an added member's, added later in v1;
     * absent otherwise): the connection was added by {@code addedBy} with the room's event
     * {@code lastSeq} (member-added) and missed the room's events after it up to {@code seq} (the
     * room's seq when it was subscribed): the node gives it that member-added, then recovers the
     * rest as for a join-room with lastSeq.
     */
    public record Subscribe(String connectionId, String roomId, String userId,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Long lastSeq,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Long seq,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String addedBy) implements Body {
        public Subscribe(String connectionId, String roomId, String userId) {
            this(connectionId, roomId, userId, null, null, null);
        }
    }

    /**
     * {@code userId} is no longer a member of {@code roomId} (leave-room, remove-member): the node
     * removes every connection of that user from the room's index, before any later delivery.
     */
    public record Unsubscribe(String roomId, String userId) implements Body {}

    /**
     * A server event for every socket of this node subscribed to {@code roomId}. {@code seq} lets
     * the node drop what it already delivered after a reprocessing (0: unsequenced, never dropped).
     * {@code excludeUserId}, when set, names a user whose sockets must not get it (a typist does
     * not see their own typing); absent for everything else. {@code acceptedAt}: epoch ms at which
     * the edge accepted the command that caused it (the edge's delivery-latency metric); 0 (absent)
     * for events no client command caused (presence updates). {@code ack}, when set (only on the
     * sender's node's {@code new-message}), answers the sender's request ok with {@code data}: the
     * send's ack rides in this record instead of a {@link Reply} of its own (one record and one
     * copy of the message fewer per message); the node answers it first, whatever the seq.
     */
    public record ToRoom(String roomId, long seq, String event, JsonNode data,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String excludeUserId,
                         @JsonInclude(JsonInclude.Include.NON_DEFAULT) long acceptedAt,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Ack ack) implements Body {
        public ToRoom(String roomId, long seq, String event, JsonNode data) {
            this(roomId, seq, event, data, null, 0, null);
        }

        public ToRoom(String roomId, long seq, String event, JsonNode data, String excludeUserId) {
            this(roomId, seq, event, data, excludeUserId, 0, null);
        }

        public ToRoom(String roomId, long seq, String event, JsonNode data, String excludeUserId, long acceptedAt) {
            this(roomId, seq, event, data, excludeUserId, acceptedAt, null);
        }
    }

    /** The request a {@link ToRoom} also answers (ok, with the ToRoom's data). */
    public record Ack(String connectionId, String ref) {}

    /**
     * The reply to one request ({@code ref}) of one connection: ok with data, or an error.
     * {@code acceptedAt}: epoch ms at which the edge accepted the request (the ack-latency
     * metric); 0 (absent) when unknown.
     */
    public record Reply(String connectionId, String ref, boolean ok, JsonNode data, ErrorBody error,
                        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long acceptedAt) implements Body {
        public Reply(String connectionId, String ref, boolean ok, JsonNode data, ErrorBody error) {
            this(connectionId, ref, ok, data, error, 0);
        }
    }

    /**
     * A rate-limit decision for a user: refuse their sends on this node until
     * {@code blockedUntil} (epoch ms); a later decision replaces an earlier one.
     */
    public record RateLimit(String userId, long blockedUntil) implements Body {}

    /**
     * The node's lease for boot {@code bootId} was expired: the processors dropped every connection
     * it had then. Sent to the node's slot in answer to each heartbeat of that boot that arrives
     * after the expiry. The node closes every socket of that boot (native: close code
     * {@link io.parley.contracts.wire.CloseCodes#RECONNECT}) and starts a new boot id; a node already
     * on another boot ignores it.
     */
    public record LeaseExpired(String bootId) implements Body {}

    /**
     * Connection {@code connectionId} of this node, of {@code userId}, brought the user over
     * {@code limit} connections across the cluster (PARLEY_MAX_CONNECTIONS_PER_USER): the node sends
     * it an error ({@code CONNECTION_LIMIT}, retryAfterMs) and closes it (native: close code
     * {@link io.parley.contracts.wire.CloseCodes#CONNECTION_LIMIT}). The presence stage never
     * counted it, so its disconnect changes no presence. Added later in v1.
     */
    public record ConnectionLimit(String connectionId, String userId, int limit) implements Body {}
}
