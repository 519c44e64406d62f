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
 * fan-out asks, per socket and delivery, whether the room's live events are diverted (a recovery,
 * a subscription hold): one volatile read while the connection has none ({@code diverted}, never
 * below the number of recoveries and holds: counted up before an entry goes in, down after it left).
 */
public final class Subscriptions {
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private final Set<String> indexed = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, RoomRecovery> pendingResumes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RoomRecovery> recovering = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SubscriptionHold> holds = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger diverted = new java.util.concurrent.atomic.AtomicInteger();

    /** A join-room was published for {@code roomId}. */
    public void requested(String roomId) { requested.add(roomId); }

    /** A leave-room was published for {@code roomId}. */
    public void released(String roomId) { requested.remove(roomId); }

    public boolean isRequested(String roomId) { return requested.contains(roomId); }

    /** Rooms joined (or being joined) and not left: each gets a Leave(disconnect) on disconnect. */
    public Set<String> requestedRooms() { return Set.copyOf(requested); }

    /** Rooms whose local index holds this connection. */
    public Set<String> indexedRooms() { return Set.copyOf(indexed); }

    /** True once the room processor accepted this connection's join (and until it leaves): it may read the room's presence. */
    public boolean isIndexed(String roomId) { return indexed.contains(roomId); }

    /** For the room index only: the connection was added to {@code roomId}'s fan-out set. */
    public void markIndexed(String roomId) { indexed.add(roomId); }

    /** For the room index only: the connection was removed from {@code roomId}'s fan-out set. */
    public void markUnindexed(String roomId) { indexed.remove(roomId); }

    /** A join with lastSeq was published with {@code ref}: its answer starts {@code recovery}. */
    public void resumePending(String ref, RoomRecovery recovery) { pendingResumes.put(ref, recovery); }

    /** The recovery waiting for the answer to {@code ref}, removed; null if none. */
    public RoomRecovery takePendingResume(String ref) { return ref == null ? null : pendingResumes.remove(ref); }

    /** Every recovery still waiting for its join's answer, removed (the connection closed). */
    public java.util.List<RoomRecovery> takeAllPendingResumes() {
        java.util.List<RoomRecovery> all = new java.util.ArrayList<>();
        for (String ref : pendingResumes.keySet()) {
            RoomRecovery recovery = pendingResumes.remove(ref);
            if (recovery != null) {
                all.add(recovery);
            }
        }
        return all;
    }

    /** {@code roomId} is being recovered: its live events go to {@code recovery} until it ends. */
    public void recovering(String roomId, RoomRecovery recovery) {
        diverted.incrementAndGet();
        if (recovering.put(roomId, recovery) != null) {
            diverted.decrementAndGet(); // replaced one
        }
    }

    /** The recovery of {@code roomId} in progress, or null (the fan-out's check: one volatile read when none). */
    public RoomRecovery recovery(String roomId) { return diverted.get() == 0 ? null : recovering.get(roomId); }

    /** The recovery of {@code roomId} ended. */
    public void recovered(String roomId, RoomRecovery recovery) {
        if (recovering.remove(roomId, recovery)) {
            diverted.decrementAndGet();
        }
    }

    /** True while a join with lastSeq of {@code roomId} waits for its answer. */
    public boolean isResumePending(String roomId) {
        for (RoomRecovery recovery : pendingResumes.values()) {
            if (recovery.roomId().equals(roomId)) {
                return true;
            }
        }
        return false;
    }

    /** {@code roomId}'s live events wait in {@code hold} (a subscription by the processors). */
    public void holding(String roomId, SubscriptionHold hold) {
        diverted.incrementAndGet();
        if (holds.put(roomId, hold) != null) {
            diverted.decrementAndGet(); // replaced one
        }
    }

    /** The subscription hold of {@code roomId}, or null (the fan-out's check: one volatile read when none). */
    public SubscriptionHold subscriptionHold(String roomId) { return diverted.get() == 0 ? null : holds.get(roomId); }

    /** The subscription hold of {@code roomId}, removed; null if none. */
    public SubscriptionHold takeSubscriptionHold(String roomId) {
        if (diverted.get() == 0) {
            return null;
        }
        SubscriptionHold hold = holds.remove(roomId);
        if (hold != null) {
            diverted.decrementAndGet();
        }
        return hold;
    }

    /** The fan-out's bound on recoveries and holds (tests). */
    int diverted() { return diverted.get(); }

    /** Removes {@code hold} if it is still {@code roomId}'s. */
    public void releasedHold(String roomId, SubscriptionHold hold) {
        if (holds.remove(roomId, hold)) {
            diverted.decrementAndGet();
        }
    }
}
