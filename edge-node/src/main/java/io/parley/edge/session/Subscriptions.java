/*
 * Subscriptions owns one connection's room state at the edge: the rooms it asked to join (so a
 * disconnect can leave them all), the rooms it is indexed in for fan-out (so cleanup can remove
 * it from every index entry, even while a leave is still in flight), and its resumes: joins with
 * a lastSeq waiting for their answer (by the ref they were published with) and rooms being
 * recovered (whose live events are held until the missed ones are written), and the rooms the
 * processors subscribed it to whose live events wait for the client's intent (SubscriptionHold).
 */
package io.parley.edge.session;

import io.parley.edge.recovery.RoomRecovery;
import io.parley.edge.recovery.SubscriptionHold;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread-safe: the reader thread requests, the deliveries thread indexes, cleanup reads both. The
 * maps are created together on the first write (an idle connection that joined nothing holds none:
 * issue 10 (d), heap per idle connection); every read of a connection without them answers empty.
 */
public final class Subscriptions {
    /** The five maps of a connection that used rooms. */
    private static final class Rooms {
        final Set<String> requested = ConcurrentHashMap.newKeySet();
        final Set<String> indexed = ConcurrentHashMap.newKeySet();
        final ConcurrentHashMap<String, RoomRecovery> pendingResumes = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, RoomRecovery> recovering = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, SubscriptionHold> holds = new ConcurrentHashMap<>();
    }

    /** Null until the first write. */
    private volatile Rooms rooms;

    /** The maps, created on first use. */
    private Rooms rooms() {
        Rooms r = rooms;
        if (r == null) {
            synchronized (this) {
                r = rooms;
                if (r == null) {
                    rooms = r = new Rooms();
                }
            }
        }
        return r;
    }

    /** A join-room was published for {@code roomId}. */
    public void requested(String roomId) { rooms().requested.add(roomId); }

    /** A leave-room was published for {@code roomId}. */
    public void released(String roomId) {
        Rooms r = rooms;
        if (r != null) {
            r.requested.remove(roomId);
        }
    }

    public boolean isRequested(String roomId) {
        Rooms r = rooms;
        return r != null && r.requested.contains(roomId);
    }

    /** Rooms joined (or being joined) and not left: each gets a Leave(disconnect) on disconnect. */
    public Set<String> requestedRooms() {
        Rooms r = rooms;
        return r == null ? Set.of() : Set.copyOf(r.requested);
    }

    /** Rooms whose local index holds this connection. */
    public Set<String> indexedRooms() {
        Rooms r = rooms;
        return r == null ? Set.of() : Set.copyOf(r.indexed);
    }

    /** True once the room processor accepted this connection's join (and until it leaves): it may read the room's presence. */
    public boolean isIndexed(String roomId) {
        Rooms r = rooms;
        return r != null && r.indexed.contains(roomId);
    }

    /** For the room index only: the connection was added to {@code roomId}'s fan-out set. */
    public void markIndexed(String roomId) { rooms().indexed.add(roomId); }

    /** For the room index only: the connection was removed from {@code roomId}'s fan-out set. */
    public void markUnindexed(String roomId) {
        Rooms r = rooms;
        if (r != null) {
            r.indexed.remove(roomId);
        }
    }

    /** A join with lastSeq was published with {@code ref}: its answer starts {@code recovery}. */
    public void resumePending(String ref, RoomRecovery recovery) { rooms().pendingResumes.put(ref, recovery); }

    /** The recovery waiting for the answer to {@code ref}, removed; null if none. */
    public RoomRecovery takePendingResume(String ref) {
        Rooms r = rooms;
        return ref == null || r == null ? null : r.pendingResumes.remove(ref);
    }

    /** Every recovery still waiting for its join's answer, removed (the connection closed). */
    public java.util.List<RoomRecovery> takeAllPendingResumes() {
        java.util.List<RoomRecovery> all = new java.util.ArrayList<>();
        Rooms r = rooms;
        if (r == null) {
            return all;
        }
        for (String ref : r.pendingResumes.keySet()) {
            RoomRecovery recovery = r.pendingResumes.remove(ref);
            if (recovery != null) {
                all.add(recovery);
            }
        }
        return all;
    }

    /** {@code roomId} is being recovered: its live events go to {@code recovery} until it ends. */
    public void recovering(String roomId, RoomRecovery recovery) { rooms().recovering.put(roomId, recovery); }

    /** The recovery of {@code roomId} in progress, or null (the fan-out's check: an empty map costs a read). */
    public RoomRecovery recovery(String roomId) {
        Rooms r = rooms;
        return r == null || r.recovering.isEmpty() ? null : r.recovering.get(roomId);
    }

    /** The recovery of {@code roomId} ended. */
    public void recovered(String roomId, RoomRecovery recovery) {
        Rooms r = rooms;
        if (r != null) {
            r.recovering.remove(roomId, recovery);
        }
    }

    /** True while a join with lastSeq of {@code roomId} waits for its answer. */
    public boolean isResumePending(String roomId) {
        Rooms r = rooms;
        if (r == null) {
            return false;
        }
        for (RoomRecovery recovery : r.pendingResumes.values()) {
            if (recovery.roomId().equals(roomId)) {
                return true;
            }
        }
        return false;
    }

    /** {@code roomId}'s live events wait in {@code hold} (a subscription by the processors). */
    public void holding(String roomId, SubscriptionHold hold) { rooms().holds.put(roomId, hold); }

    /** The subscription hold of {@code roomId}, or null (the fan-out's check: an empty map costs a read). */
    public SubscriptionHold subscriptionHold(String roomId) {
        Rooms r = rooms;
        return r == null || r.holds.isEmpty() ? null : r.holds.get(roomId);
    }

    /** The subscription hold of {@code roomId}, removed; null if none. */
    public SubscriptionHold takeSubscriptionHold(String roomId) {
        Rooms r = rooms;
        return r == null || r.holds.isEmpty() ? null : r.holds.remove(roomId);
    }

    /** Recoveries and holds in progress: what the fan-out diverts (tests). */
    int diverted() {
        Rooms r = rooms;
        return r == null ? 0 : r.recovering.size() + r.holds.size();
    }

    /** Removes {@code hold} if it is still {@code roomId}'s. */
    public void releasedHold(String roomId, SubscriptionHold hold) {
        Rooms r = rooms;
        if (r != null) {
            r.holds.remove(roomId, hold);
        }
    }
}
