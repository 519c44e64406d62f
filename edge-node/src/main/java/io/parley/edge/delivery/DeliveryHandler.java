/*
 * DeliveryHandler owns what this node does with each record of its deliveries partition:
 * ToRoom -> the sender's ack if it carries one, then de-duplicate by seq, encode once, write to
 * every local subscriber (but the excluded user's, for typing events); Reply -> the one
 * connection it answers (updating the room index first when it confirms a join or a leave);
 * RateLimit -> remember the user's block; LeaseExpired -> tell the node (it resets its sockets);
 * Subscribe -> index a member's connection in a room without a join (its live events of the room
 * held for a moment, SubscriptionHold, in case the client resumes it; an added member's with the
 * stretch it missed since the add recovered first, as for a resume); Unsubscribe -> take every
 * socket of a user who is no longer a member out of the room; ConnectionLimit -> tell the one
 * connection CONNECTION_LIMIT and close it (its user is over the per-user limit across nodes).
 * It also remembers the room of each new-message it delivers (MessageRooms), for mark-read with
 * bare message ids. A join with lastSeq (resume) is answered through the Resumer, and a room being
 * recovered for a connection gets its live events held by that connection's RoomRecovery.
 */
package io.parley.edge.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.wire.Protocol;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.guard.PipelineLag;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.metrics.WriteStamp;
import io.parley.edge.recovery.Resumer;
import io.parley.edge.recovery.RoomRecovery;
import io.parley.edge.recovery.SubscriptionHold;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.ConnectionRegistry;
import io.parley.edge.session.OutboundEvent;
import io.parley.edge.session.Subscriptions;

import java.util.function.Consumer;

/**
 * Called by one thread (the deliveries consumer, or a test) in partition order, so an index change
 * made for a Reply is in place before any later delivery is handled.
 *
 * <p>Which reply confirms a join or a leave: an ok reply whose data names a {@code roomId} makes
 * the index agree with what the connection last asked for that room (joined: indexed; left: not).
 * This needs no request bookkeeping and converges even when join/leave are pipelined.
 */
public final class DeliveryHandler {
    /** Rooms whose last seq is remembered (see {@link SeqTracker}). */
    static final int MAX_TRACKED_ROOMS = 1_000_000;

    private final ConnectionRegistry connections;
    private final RoomIndex index;
    private final RateLimitTable rateLimits;
    private final SeqTracker seqs = new SeqTracker(MAX_TRACKED_ROOMS);
    private final PipelineLag lag;
    private final Consumer<String> leaseExpired;
    private final MessageRooms messageRooms;
    private volatile Consumer<Delivery.Subscribe> goneSubscription = subscribe -> { };
    private volatile Resumer resumer = Resumer.disabled();
    private volatile long subscribeHoldMs;
    private volatile int subscribeHoldLimit = 1;
    private final java.util.concurrent.ConcurrentLinkedQueue<SubscriptionHold> holds = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public DeliveryHandler(ConnectionRegistry connections, RoomIndex index,
                           RateLimitTable rateLimits) {
        this(connections, index, rateLimits, new PipelineLag(0), bootId -> { });
    }

    public DeliveryHandler(ConnectionRegistry connections, RoomIndex index,
                           RateLimitTable rateLimits, MessageRooms messageRooms) {
        this(connections, index, rateLimits, new PipelineLag(0), bootId -> { }, messageRooms);
    }

    public DeliveryHandler(ConnectionRegistry connections, RoomIndex index, RateLimitTable rateLimits,
                           PipelineLag lag, Consumer<String> leaseExpired) {
        this(connections, index, rateLimits, lag, leaseExpired, new MessageRooms(MessageRooms.DEFAULT_MAX_ENTRIES));
    }

    /**
     * @param lag          told of every reply (the backpressure signal)
     * @param leaseExpired called with the boot id of a {@link Delivery.LeaseExpired} notice
     * @param messageRooms remembers the room of each delivered new-message
     */
    public DeliveryHandler(ConnectionRegistry connections, RoomIndex index, RateLimitTable rateLimits,
                           PipelineLag lag, Consumer<String> leaseExpired, MessageRooms messageRooms) {
        this.connections = connections;
        this.index = index;
        this.rateLimits = rateLimits;
        this.lag = lag;
        this.leaseExpired = leaseExpired;
        this.messageRooms = messageRooms;
    }

    /** Who recovers resumed rooms (EdgeNode wires the node's one). */
    /**
     * Subscriptions by the processors hold the room's live events for {@code holdMs} (at most
     * {@code limit} of them) until the client resumes the room or joins it plainly; 0: not held.
     */
    public void useSubscribeHold(long holdMs, int limit) {
        this.subscribeHoldMs = holdMs;
        this.subscribeHoldLimit = limit;
    }

    /** Releases the subscription holds whose time passed (the node's timer, every ~100 ms). */
    public void releaseDueHolds(long nowMs) {
        for (var it = holds.iterator(); it.hasNext(); ) {
            SubscriptionHold hold = it.next();
            if (hold.isDone()) {
                it.remove();
            } else if (hold.isDue(nowMs)) {
                it.remove();
                hold.connection().subscriptions().releasedHold(hold.roomId(), hold);
                hold.release();
            }
        }
    }

    public void useResumer(Resumer resumer) {
        this.resumer = resumer;
    }

    public void handle(Delivery delivery) {
        if (delivery == null || delivery.body() == null) {
            return;
        }
        try {
            switch (delivery.body()) {
                case Delivery.ToRoom toRoom -> {
                    WriteStamp.set(WriteStamp.DELIVERY, toRoom.acceptedAt());
                    toRoom(RoomPush.of(toRoom));
                }
                case Delivery.Reply reply -> {
                    WriteStamp.set(WriteStamp.REPLY, reply.acceptedAt());
                    reply(reply);
                }
                case Delivery.RateLimit limit -> rateLimits.decide(limit.userId(), limit.blockedUntil());
                case Delivery.LeaseExpired expired -> leaseExpired.accept(expired.bootId());
                case Delivery.Subscribe subscribe -> subscribe(subscribe);
                case Delivery.Unsubscribe unsubscribe -> unsubscribe(unsubscribe);
                case Delivery.ConnectionLimit limit -> connectionLimit(limit);
            }
        } finally {
            WriteStamp.clear();
        }
    }

    /** A to-room record as DeliveryDecoder read it (its data's JSON text kept, no tree). */
    public void handle(RoomPush push) {
        if (push == null) {
            return;
        }
        try {
            WriteStamp.set(WriteStamp.DELIVERY, push.acceptedAt());
            toRoom(push);
        } finally {
            WriteStamp.clear();
        }
    }

    /**
     * Fans one room event out to the local subscribers; returns how many sockets it was queued for.
     * Per socket: no allocation, no boxing, no hashing beyond the connection's two hold checks
     * (one volatile read each while it holds nothing).
     */
    int toRoom(RoomPush toRoom) {
        if (toRoom.ack() != null && toRoom.ack().connectionId() != null) {
            // The sender's ack, first and whatever the seq (as a reply record of its own was).
            WriteStamp.set(WriteStamp.REPLY, toRoom.acceptedAt());
            reply(new Delivery.Reply(toRoom.ack().connectionId(), toRoom.ack().ref(), true, toRoom.dataTree(), null,
                    toRoom.acceptedAt()));
            WriteStamp.set(WriteStamp.DELIVERY, toRoom.acceptedAt());
        }
        if (toRoom.roomId() == null || toRoom.event() == null) {
            return 0;
        }
        // seq 0: an unsequenced event (presence-update), not a room event: never de-duplicated.
        if (toRoom.seq() != 0 && !seqs.advance(toRoom.roomId(), toRoom.seq())) {
            return 0;
        }
        if (toRoom.dataId() != null && Protocol.NEW_MESSAGE.equals(toRoom.event())) {
            messageRooms.put(toRoom.dataId(), toRoom.roomId());
        }
        OutboundEvent event = new OutboundEvent(toRoom.event(), toRoom.data(), toRoom.roomId(), toRoom.seq());
        int queued = 0;
        String excluded = toRoom.excludeUserId();
        String roomId = toRoom.roomId();
        long seq = toRoom.seq();
        for (ClientConnection connection : index.subscribers(roomId)) {
            if (excluded != null && excluded.equals(connection.userId())) {
                continue;
            }
            queued++;
            Subscriptions subscriptions = connection.subscriptions();
            RoomRecovery recovery = subscriptions.recovery(roomId);
            if (recovery != null && recovery.hold(event, seq)) {
                continue; // held while the room is being recovered for this connection
            }
            SubscriptionHold hold = subscriptions.subscriptionHold(roomId);
            if (hold != null && hold.hold(event, seq)) {
                continue; // held until the client resumes or joins the room, or the hold time passes
            }
            connection.deliver(event);
        }
        return queued;
    }

    /**
     * A member's connection, subscribed by the processors without a join-room: indexed as after an
     * accepted join. A connection already gone (its disconnect's leaves went out before this
     * subscription existed) is left for it, through {@link #onGoneSubscription}.
     */
    private void subscribe(Delivery.Subscribe subscribe) {
        if (subscribe.connectionId() == null || subscribe.roomId() == null) {
            return;
        }
        ClientConnection connection = connections.get(subscribe.connectionId());
        if (connection != null && connection.isOpen()
                && (connection.subscriptions().isResumePending(subscribe.roomId())
                || connection.subscriptions().recovery(subscribe.roomId()) != null)) {
            return; // the client resumes this room: its join's answer indexes it, at the right seam
        }
        if (connection != null && subscribe.lastSeq() != null && subscribe.seq() != null && connection.isOpen()
                && !connection.subscriptions().isIndexed(subscribe.roomId())) {
            if (subscribe.addedBy() != null) { // the announcement the room got at the add, first
                connection.deliver(new OutboundEvent(Protocol.MEMBER_ADDED, io.parley.contracts.json.Json.tree(
                        new Protocol.MemberAdded(subscribe.roomId(), subscribe.userId(), Protocol.MemberAdded.MEMBER, subscribe.addedBy(),
                                subscribe.lastSeq())), subscribe.roomId(), subscribe.lastSeq()));
            }
            if (recoverAdded(connection, subscribe)) {
                return;
            }
        }
        if (connection != null) {
            connection.subscriptions().requested(subscribe.roomId()); // so its disconnect leaves the room
            if (subscribeHoldMs > 0 && !connection.subscriptions().isIndexed(subscribe.roomId())) {
                SubscriptionHold hold = new SubscriptionHold(connection, subscribe.roomId(),
                        System.currentTimeMillis() + subscribeHoldMs, subscribeHoldLimit);
                connection.subscriptions().holding(subscribe.roomId(), hold);
                holds.add(hold);
            }
            index.add(subscribe.roomId(), connection);
            if (connection.isOpen()) {
                return;
            }
            index.remove(subscribe.roomId(), connection); // lost a race with the disconnect's cleanup
        }
        if (subscribe.userId() != null) {
            goneSubscription.accept(subscribe);
        }
    }

    /**
     * An added member's connection (given its member-added, {@code lastSeq}, already), which missed
     * the room's events after it up to {@code seq}: subscribed as a join-room with lastSeq answered at seq would
     * be (the recovery registered before the index add, so the room's later events wait for the
     * missed messages: each seq once, in order), without a join ack (the client asked nothing).
     * False when the node recovers as many rooms as it may: the plain subscription then (its
     * events from now on, the stretch before it only from history).
     */
    private boolean recoverAdded(ClientConnection connection, Delivery.Subscribe subscribe) {
        String roomId = subscribe.roomId();
        RoomRecovery recovery = resumer.tryBegin(roomId, subscribe.lastSeq(), null, null);
        if (recovery == null) {
            return false;
        }
        connection.subscriptions().requested(roomId); // so its disconnect leaves the room
        recovery.joined(subscribe.seq());
        connection.subscriptions().recovering(roomId, recovery);
        index.add(roomId, connection);
        if (!connection.isOpen()) { // lost a race with the disconnect's cleanup
            index.remove(roomId, connection);
            recovery.abandon();
            connection.subscriptions().recovered(roomId, recovery);
            goneSubscription.accept(subscribe);
            return true;
        }
        connection.roomJoined(roomId, subscribe.seq());
        resumer.start(connection, recovery);
        return true;
    }

    /**
     * Called (on the deliveries thread) with a subscription of a connection this node no longer
     * has; the node publishes that connection's leave-room (reason disconnect) for it. A repeated
     * leave is harmless (the room stage acks a connection it does not have).
     */
    public void onGoneSubscription(Consumer<Delivery.Subscribe> handler) {
        this.goneSubscription = handler;
    }

    /**
     * The connection brought its user over the per-user limit across nodes: an error event with
     * CONNECTION_LIMIT, then close ({@link io.parley.contracts.wire.CloseCodes#CONNECTION_LIMIT});
     * its cleanup publishes its disconnect as for any close. Gone already: nothing to do.
     */
    private void connectionLimit(Delivery.ConnectionLimit limit) {
        ClientConnection connection = connections.get(limit.connectionId());
        if (connection instanceof io.parley.edge.auth.TokenLifecycle.Target target && connection.isOpen()) {
            target.end(io.parley.contracts.wire.CloseCodes.CONNECTION_LIMIT, new io.parley.contracts.wire.ErrorBody(
                    io.parley.contracts.ErrorCode.CONNECTION_LIMIT,
                    "at most " + limit.limit() + " connections per user (PARLEY_MAX_CONNECTIONS_PER_USER)",
                    ConnectionRegistry.RETRY_AFTER_MS));
        }
    }

    /** The user is no longer a member: none of their sockets here gets the room's next event. */
    private void unsubscribe(Delivery.Unsubscribe unsubscribe) {
        if (unsubscribe.roomId() == null || unsubscribe.userId() == null) {
            return;
        }
        for (ClientConnection connection : java.util.List.copyOf(index.subscribers(unsubscribe.roomId()))) {
            if (unsubscribe.userId().equals(connection.userId())) {
                SubscriptionHold hold = connection.subscriptions().takeSubscriptionHold(unsubscribe.roomId());
                if (hold != null) {
                    hold.drop();
                }
                connection.subscriptions().released(unsubscribe.roomId());
                index.remove(unsubscribe.roomId(), connection);
            }
        }
    }

    private void reply(Delivery.Reply reply) {
        lag.answered(reply.connectionId());
        ClientConnection connection = connections.get(reply.connectionId());
        if (connection == null) {
            return; // the connection is gone (or was on a previous owner of this slot)
        }
        // A join with lastSeq (a resume) was published with a ref of its own.
        RoomRecovery recovery = reply.ref() != null && reply.ref().startsWith(RoomRecovery.REF_PREFIX)
                ? connection.subscriptions().takePendingResume(reply.ref()) : null;
        boolean recovering = false;
        SubscriptionHold release = null;
        if (reply.ok()) {
            String roomId = roomIdOf(reply.data());
            if (roomId != null) {
                if (connection.subscriptions().isRequested(roomId)) {
                    if (recovery != null && roomId.equals(recovery.roomId())) {
                        // Before the index add: every live event of the room for it from now on is held.
                        recovery.joined(reply.data().path("seq").asLong(0));
                        connection.subscriptions().recovering(roomId, recovery);
                        recovering = true;
                        SubscriptionHold hold = connection.subscriptions().takeSubscriptionHold(roomId);
                        if (hold != null) { // subscribed before the resume: its held events join the recovery's
                            for (SubscriptionHold.Held h : hold.takeOver()) {
                                recovery.hold(h.event(), h.seq());
                            }
                        }
                    } else {
                        release = connection.subscriptions().takeSubscriptionHold(roomId); // a plain join
                    }
                    boolean joined = !connection.subscriptions().isIndexed(roomId);
                    index.add(roomId, connection);
                    if (!connection.isOpen()) {
                        index.remove(roomId, connection); // lost a race with the disconnect's cleanup
                    } else if (joined) {
                        connection.roomJoined(roomId, reply.data().path("seq").asLong(0));
                    }
                } else {
                    boolean left = connection.subscriptions().isIndexed(roomId);
                    index.remove(roomId, connection);
                    if (left) {
                        connection.roomLeft(roomId);
                    }
                }
            }
        }
        if (recovery != null) {
            resumer.answered(connection, recovery, reply.ok(), reply.data(), reply.error(), recovering && connection.isOpen());
            return;
        }
        connection.reply(new ServerReply(reply.ref(), reply.ok(), reply.data(), reply.error()));
        if (release != null) {
            release.release(); // after the join's answer, in arrival order
        }
    }

    private static String roomIdOf(JsonNode data) {
        if (data == null || !data.isObject()) {
            return null;
        }
        JsonNode room = data.get("roomId");
        return room != null && room.isTextual() ? room.textValue() : null;
    }
}
