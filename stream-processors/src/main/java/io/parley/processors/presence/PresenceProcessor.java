/*
 * PresenceProcessor owns each user's presence: the user is online while any of their connections
 * on any edge node is open; the chosen status (online, away, busy, dnd) and custom text; automatic
 * away after the idle time; offline only after the grace period with no connection (a reconnect
 * within it changes nothing, so nothing flaps); last seen. Every real change is published once:
 * as a diff to every room the user is in (PresenceFanout, sent on by the room stage), as the
 * user's full presence on the compacted presence topic, and into the Redis view. It also drops the
 * connections of an edge node whose lease expired, asks the room stage to subscribe a member's
 * connections to the user's rooms (on connect, when another device joins, and when another user
 * adds them), and rewrites the Redis view of its partition
 * when the view's marker is missing (a fresh or flushed Redis) or after a restart. It enforces the
 * per-user connection limit across nodes: a connection that brings its user over it is never
 * counted and its node is told to close it (a connection-limit delivery).
 */
package io.parley.processors.presence;

import io.parley.contracts.Limits;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.event.UserPresence;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.Stores;
import io.parley.processors.lease.NodeExpired;
import io.parley.processors.presence.PresenceEntry.Conn;
import io.parley.processors.presence.PresenceEntry.Mark;
import io.parley.processors.presence.PresenceEntry.State;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Input: {@link UserEvent}s (key user id) and {@link NodeExpired} (broadcast to every partition).
 * Output: {@link PresenceFanout} (key room id), {@link UserPresence} (key user id) and
 * {@link Delivery} (a {@link Delivery.ConnectionLimit}, key edge node id).
 *
 * <p>Time is the processor's wall clock ({@code currentSystemTimeMs}), for events and timers
 * alike: presence is about now. Timers live in the same store, indexed by due time
 * ({@link PresenceKeys#timer}); a wall-clock punctuator fires the due ones every tick.
 *
 * <p>Under at-least-once a replayed event may publish a change again; consumers take the latest
 * value (the topic is compacted, the view is overwritten, a client applies the diff again).
 */
final class PresenceProcessor implements Processor<String, Object, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(PresenceProcessor.class);
    static final long MAX_ACTIVITY_RESOLUTION_MS = 30_000;

    private final long graceMs;
    private final long idleMs;
    /** Connections of one user across nodes; 0: no limit. */
    private final int maxConnectionsPerUser;
    /**
     * Activity (a message sent) is remembered to this resolution: a message less than this after
     * the last remembered activity writes nothing (the user's state, and the idle timer keyed by
     * its due time, would move by less). The idle-away is then at most this much early: 1/10 of
     * the idle time, at most 30 s (30 s at the default 300 s). Saves three changelog records per
     * remembered activity: 0.1 per message of a user sending one a second (docs/benchmarks.md).
     */
    private final long activityResolutionMs;
    private final Duration tick;
    private final PresenceView view;
    private final AtomicBoolean rebuildView = new AtomicBoolean(true);
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PresenceEntry> store;
    private int partition;

    PresenceProcessor(long graceMs, long idleMs, Duration tick, PresenceView view) {
        this(graceMs, idleMs, tick, view, 0);
    }

    PresenceProcessor(long graceMs, long idleMs, Duration tick, PresenceView view, int maxConnectionsPerUser) {
        this.maxConnectionsPerUser = maxConnectionsPerUser;
        this.graceMs = graceMs;
        this.idleMs = idleMs;
        this.activityResolutionMs = idleMs > 0 ? Math.min(idleMs / 10, MAX_ACTIVITY_RESOLUTION_MS) : MAX_ACTIVITY_RESOLUTION_MS;
        this.tick = tick;
        this.view = view;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(Stores.PRESENCE_STATE);
        this.partition = context.taskId().partition();
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::fireTimers);
        context.schedule(Stores.PRESENCE_VIEW_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::checkView);
    }

    @Override
    public void process(Record<String, Object> record) {
        long now = context.currentSystemTimeMs();
        if (record.value() instanceof UserEvent event) {
            onUserEvent(event, now);
        } else if (record.value() instanceof NodeExpired expired) {
            onNodeExpired(expired, now);
        }
    }

    private PresenceWork load(String userId) {
        return new PresenceWork(userId, store.get(PresenceKeys.user(userId)) instanceof State s ? s : null);
    }

    private void onUserEvent(UserEvent event, long now) {
        if (event.userId() == null || event.body() == null) {
            return;
        }
        PresenceWork w = load(event.userId());
        String joinedRoom = null;
        switch (event.body()) {
            case UserEvent.Connected connected -> {
                if (event.connectionId() == null || event.edgeNodeId() == null) {
                    return;
                }
                if (maxConnectionsPerUser > 0 && !w.connections.containsKey(event.connectionId())
                        && w.connections.size() >= maxConnectionsPerUser) {
                    // Over the limit across nodes: never counted (so its disconnect is an unknown one and
                    // presence stays exact), and its node closes it.
                    context.forward(new Record<>(event.edgeNodeId(), new Delivery(event.edgeNodeId(), event.edgeSlot(),
                            new Delivery.ConnectionLimit(event.connectionId(), w.userId, maxConnectionsPerUser)), now));
                    return;
                }
                w.connections.put(event.connectionId(), new Conn(event.edgeNodeId(), event.edgeSlot()));
                store.put(PresenceKeys.nodeConn(event.edgeNodeId(), w.userId, event.connectionId()), new Mark(event.edgeSlot()));
                w.offlineAt = 0;
                w.lastActive = now;
                w.lastSeen = now;
                w.username = connected.username();
                // Membership belongs to the user: the new connection gets the user's rooms' events without a join.
                w.rooms.forEach((roomId, member) -> {
                    if (member) {
                        subscribe(roomId, event, event.connectionId(), event.edgeNodeId(), event.edgeSlot());
                    }
                });
            }
            case UserEvent.Disconnected disconnected -> {
                Conn gone = event.connectionId() == null ? null : w.connections.remove(event.connectionId());
                if (gone == null) {
                    return; // unknown or already dropped (e.g. its node's lease expired first)
                }
                store.delete(PresenceKeys.nodeConn(gone.edgeNodeId(), w.userId, event.connectionId()));
                w.lastSeen = now;
                if (w.connections.isEmpty()) {
                    w.offlineAt = now + graceMs;
                }
            }
            case UserEvent.MessageAttempt attempt -> {
                if (now >= w.lastActive && now - w.lastActive < activityResolutionMs) {
                    return; // active that recently: not idle, nothing to write (see activityResolutionMs)
                }
                w.lastActive = now;
                w.lastSeen = now;
            }
            case UserEvent.PresenceSet set -> {
                if (set.status() != null && Limits.CHOOSABLE_STATUSES.contains(set.status())) {
                    w.chosen = set.status();
                }
                if (set.customStatus() != null) {
                    w.custom = set.customStatus().isEmpty() ? null : truncate(set.customStatus());
                }
                w.lastActive = now;
                w.lastSeen = now;
            }
            case UserEvent.RoomJoined joined -> {
                if (joined.roomId() == null) {
                    return;
                }
                w.rooms.put(joined.roomId(), true);
                if (joined.isAdded()) {
                    // Made a member by another user: every open connection follows (the room stage decides
                    // each request, in order after the add). Their first one subscribed is the room-joined
                    // that tells the room their presence and puts them in the view.
                    w.connections.forEach((connectionId, conn) ->
                            subscribe(joined.roomId(), event, connectionId, conn.edgeNodeId(), conn.slot(), joined.seq(), joined.addedBy()));
                    break;
                }
                view.joined(joined.roomId(), w.userId);
                // The user's other devices follow (the room stage subscribes those not subscribed yet).
                w.connections.forEach((connectionId, conn) -> {
                    if (!connectionId.equals(event.connectionId())) {
                        subscribe(joined.roomId(), event, connectionId, conn.edgeNodeId(), conn.slot());
                    }
                });
                joinedRoom = joined.roomId();
            }
            case UserEvent.RoomLeft left -> {
                if (left.roomId() == null) {
                    return;
                }
                view.left(left.roomId(), w.userId);
                if ("disconnect".equals(left.reason())) {
                    w.rooms.put(left.roomId(), true); // a member still: their next connection is subscribed
                } else {
                    w.rooms.remove(left.roomId()); // client (leave-room) or removed: the membership ended
                }
            }
        }
        settle(w, now, joinedRoom);
    }

    private void onNodeExpired(NodeExpired expired, long now) {
        String prefix = PresenceKeys.nodePrefix(expired.edgeNodeId());
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, PresenceEntry> it = store.range(prefix, prefix + "\uffff")) {
            it.forEachRemaining(entry -> {
                if (expired.covers(PresenceKeys.userAndConnection(entry.key, expired.edgeNodeId())[1])) {
                    keys.add(entry.key);
                }
            });
        }
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        for (String key : keys) {
            String[] userAndConnection = PresenceKeys.userAndConnection(key, expired.edgeNodeId());
            byUser.computeIfAbsent(userAndConnection[0], u -> new ArrayList<>()).add(userAndConnection[1]);
            store.delete(key);
        }
        byUser.forEach((userId, connections) -> {
            PresenceWork w = load(userId);
            boolean hadAny = !w.connections.isEmpty();
            connections.forEach(w.connections::remove);
            if (hadAny && w.connections.isEmpty()) {
                w.offlineAt = now + graceMs;
            }
            settle(w, now, null);
        });
        if (!keys.isEmpty()) {
            log.info("edge node {} {}: dropped {} connections of {} users in partition {}",
                    expired.edgeNodeId(), expired.before() == null ? "expired" : "restarted", keys.size(), byUser.size(), partition);
        }
    }

    /** Computes the user's status now, publishes a real change, re-arms the timer, stores the state. */
    private void settle(PresenceWork w, long now, String joinedRoom) {
        String status;
        if (w.connections.isEmpty()) {
            status = w.offlineAt != 0 && now < w.offlineAt ? w.status : Protocol.OFFLINE;
        } else {
            boolean idle = idleMs > 0 && now - w.lastActive >= idleMs;
            status = Protocol.ONLINE.equals(w.chosen) && idle ? Protocol.AWAY : w.chosen;
        }
        if (Protocol.OFFLINE.equals(status)) {
            w.offlineAt = 0;
        }
        boolean statusChanged = !status.equals(w.status);
        boolean customChanged = !Objects.equals(w.custom, w.shownCustom);
        if (statusChanged || customChanged) {
            boolean offline = Protocol.OFFLINE.equals(status);
            boolean cameOnline = statusChanged && !offline && (w.status == null || Protocol.OFFLINE.equals(w.status));
            for (String roomId : w.rooms.keySet()) {
                fanOut(roomId, new Protocol.PresenceUpdate(roomId, w.userId, statusChanged ? status : null,
                        customChanged ? (w.custom == null ? "" : w.custom) : null, offline ? w.lastSeen : null),
                        cameOnline || (!offline && roomId.equals(joinedRoom)), w.username, now);
            }
            w.status = status;
            w.shownCustom = w.custom;
            if (offline) {
                w.rooms.values().removeIf(member -> !member);
            }
            context.forward(new Record<>(w.userId, new UserPresence(w.userId, status, w.custom, w.lastSeen, now), now));
            view.presence(w.userId, status, w.custom, w.lastSeen);
        } else if (joinedRoom != null && !Protocol.OFFLINE.equals(status)) {
            // The room learns a presence it did not know: the whole of it, to that room only.
            fanOut(joinedRoom, new Protocol.PresenceUpdate(joinedRoom, w.userId, status, w.custom, null), true, w.username, now);
        }

        long due = 0;
        if (w.connections.isEmpty() && w.offlineAt != 0) {
            due = w.offlineAt;
        } else if (!w.connections.isEmpty() && idleMs > 0 && Protocol.ONLINE.equals(w.chosen) && !Protocol.AWAY.equals(status)) {
            due = w.lastActive + idleMs;
        }
        String timerKey = due == 0 ? null : PresenceKeys.timer(due, w.userId);
        if (!Objects.equals(timerKey, w.timerKey)) {
            if (w.timerKey != null) {
                store.delete(w.timerKey);
            }
            if (timerKey != null) {
                store.put(timerKey, new Mark(0));
            }
            w.timerKey = timerKey;
        }
        store.put(PresenceKeys.user(w.userId), w.toState());
    }

    /** Asks the room stage to subscribe one connection of the user to a room (it checks membership). */
    private void subscribe(String roomId, UserEvent cause, String connectionId, String edgeNodeId, int edgeSlot) {
        subscribe(roomId, cause, connectionId, edgeNodeId, edgeSlot, null, null);
    }

    /** {@code missedAfter}, {@code addedBy}: an added member's (the member-added's seq and adder: see PresenceFanout.Subscription). */
    private void subscribe(String roomId, UserEvent cause, String connectionId, String edgeNodeId, int edgeSlot, Long missedAfter,
                           String addedBy) {
        if (cause.eventId() == null || edgeNodeId == null) {
            return;
        }
        context.forward(new Record<>(roomId, PresenceFanout.subscribe(roomId, new PresenceFanout.Subscription(cause.eventId(),
                cause.userId(), connectionId, edgeNodeId, edgeSlot, cause.timestamp(), missedAfter, addedBy)), context.currentSystemTimeMs()));
    }

    private void fanOut(String roomId, Protocol.PresenceUpdate update, boolean cameOnline, String username, long now) {
        context.forward(new Record<>(roomId, new PresenceFanout(roomId, update, cameOnline, cameOnline ? username : null), now));
    }

    private void fireTimers(long now) {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, PresenceEntry> it = store.range(PresenceKeys.TIMER_PREFIX, PresenceKeys.timersUpTo(now))) {
            it.forEachRemaining(entry -> due.add(entry.key));
        }
        for (String key : due) {
            PresenceWork w = load(PresenceKeys.userOfTimer(key));
            if (!key.equals(w.timerKey)) {
                store.delete(key); // stale
                continue;
            }
            settle(w, now, null);
            if (key.equals(w.timerKey)) { // not re-armed to a later time: it has fired
                store.delete(key);
                w.timerKey = null;
                store.put(PresenceKeys.user(w.userId), w.toState());
            }
        }
    }

    /** Rewrites this partition's view when asked to (start, missing marker); then asks Redis about the marker. */
    private void checkView(long now) {
        if (rebuildView.getAndSet(false)) {
            int users = 0;
            try (KeyValueIterator<String, PresenceEntry> it = store.range(PresenceKeys.USER_PREFIX, PresenceKeys.USER_PREFIX + "\uffff")) {
                while (it.hasNext()) {
                    KeyValue<String, PresenceEntry> entry = it.next();
                    if (entry.value instanceof State s) {
                        String userId = PresenceKeys.userOf(entry.key);
                        view.presence(userId, s.status(), s.shownCustom(), s.lastSeen());
                        s.rooms().forEach((roomId, member) -> {
                            if (member) {
                                view.joined(roomId, userId);
                            }
                        });
                        users++;
                    }
                }
            }
            view.setMarker(partition);
            log.info("presence view of partition {} written ({} users)", partition, users);
            return;
        }
        view.hasMarker(partition).whenComplete((present, failure) -> {
            if (failure == null && !present) {
                rebuildView.set(true);
            }
        });
    }

    private static String truncate(String text) {
        if (text.codePointCount(0, text.length()) <= Limits.MAX_CUSTOM_STATUS) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, Limits.MAX_CUSTOM_STATUS));
    }
}
