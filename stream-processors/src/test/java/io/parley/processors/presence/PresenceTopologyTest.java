/*
 * PresenceTopologyTest owns the behavioural checks of the presence and node-lease stages, run on
 * the whole processors topology in a TopologyTestDriver with a mocked wall clock (fixture:
 * PresenceStageTest): many devices on many nodes, the grace period (no offline before it, none at
 * all after a reconnect within it), diffs only on real changes, custom status, idle -> away, the
 * compacted presence topic, and an edge node whose lease runs out (its connections dropped on the
 * room side and the user side while users also connected elsewhere stay online); the per-user
 * connection limit across nodes (the connection over it closed by its node, never counted).
 * Membership by user: PresenceMembershipTopologyTest.
 */
package io.parley.processors.presence;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.EventIds;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.event.UserPresence;
import io.parley.contracts.wire.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PresenceTopologyTest extends PresenceStageTest {
    @Test
    void twoDevicesOnTwoNodesStayOnlineUntilBothCloseThenOfflineOnlyAfterTheGracePeriod() {
        online("bob", "b1", 2); // the observer, on edge-2
        online("alice", "a1", 1);
        online("alice", "a2", 2);
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(presenceUpdates(seen, 2, "alice")).first()
                .satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("online"));
        assertThat(statuses("alice")).containsExactly("online");

        close("alice", "a1", 1);
        advance(GRACE * 2);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty(); // still online on edge-2
        assertThat(statuses("alice")).isEmpty();

        close("alice", "a2", 2);
        advance(GRACE - 200);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty(); // not before the grace period
        advance(400);
        List<JsonNode> offline = presenceUpdates(deliveries.readValuesToList(), 2, "alice");
        assertThat(offline).hasSize(1);
        assertThat(offline.getFirst().path("status").asText()).isEqualTo("offline");
        assertThat(offline.getFirst().path("roomId").asText()).isEqualTo(ROOM);
        assertThat(offline.getFirst().path("lastSeen").asLong()).isEqualTo(T0 + GRACE * 2); // when a2 closed
        assertThat(statuses("alice")).containsExactly("offline");
    }

    @Test
    void coMembersGetSeed004sUserOnlineAndUserOfflineButNotTheUsersOwnSockets() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        List<Delivery> seen = deliveries.readValuesToList();
        List<JsonNode> online = events(seen, 2, Protocol.USER_ONLINE, "alice");
        assertThat(online).hasSize(1);
        assertThat(online.getFirst().path("username").asText()).isEqualTo("alice");
        assertThat(online.getFirst().path("roomId").asText()).isEqualTo(ROOM);
        for (Delivery d : seen) {
            if (d.body() instanceof Delivery.ToRoom t && t.event().equals(Protocol.USER_ONLINE)) {
                assertThat(t.excludeUserId()).isEqualTo(t.data().path("userId").asText());
                assertThat(t.seq()).isZero();
            }
        }
        close("alice", "a1", 1);
        advance(GRACE + 400);
        List<JsonNode> offline = events(deliveries.readValuesToList(), 2, Protocol.USER_OFFLINE, "alice");
        assertThat(offline).singleElement().satisfies(d -> assertThat(d.path("roomId").asText()).isEqualTo(ROOM));

        // A token with a name claim: user-online carries it (seed 004: {userId, username}).
        connectAs("carol", "c1", 1, "Carol C.");
        join("carol", "c1", 1);
        assertThat(events(deliveries.readValuesToList(), 2, Protocol.USER_ONLINE, "carol"))
                .singleElement().satisfies(d -> assertThat(d.path("username").asText()).isEqualTo("Carol C."));
    }

    @Test
    void aReconnectWithinTheGracePeriodEmitsNoOfflineAndNoOnline() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        presence.readValuesToList();

        close("alice", "a1", 1);
        advance(GRACE / 2);
        online("alice", "a3", 1);
        advance(GRACE * 3);
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(presenceUpdates(seen, 2, "alice")).allSatisfy(d ->
                assertThat(d.path("status").asText()).isNotEqualTo("offline"));
        assertThat(presenceUpdates(seen, 2, "alice")).noneSatisfy(d -> assertThat(d.has("lastSeen")).isTrue());
        assertThat(statuses("alice")).isEmpty();
        // Membership is by connection: the room itself saw alice leave and join again.
        assertThat(events(seen, 2, Protocol.USER_LEFT, "alice")).hasSize(1);
        assertThat(events(seen, 2, Protocol.USER_JOINED, "alice")).hasSize(1);
    }

    @Test
    void statusAndCustomTextTravelAsDiffsOnlyWhenTheyChange() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        set("alice", "a1", "busy", "in a meeting");
        List<JsonNode> first = presenceUpdates(deliveries.readValuesToList(), 2, "alice");
        assertThat(first).hasSize(1);
        assertThat(first.getFirst().path("status").asText()).isEqualTo("busy");
        assertThat(first.getFirst().path("customStatus").asText()).isEqualTo("in a meeting");

        set("alice", "a1", "busy", "in a meeting"); // no change: nothing
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();

        set("alice", "a1", null, ""); // clear the text only: a diff without status
        List<JsonNode> cleared = presenceUpdates(deliveries.readValuesToList(), 2, "alice");
        assertThat(cleared).hasSize(1);
        assertThat(cleared.getFirst().has("status")).isFalse();
        assertThat(cleared.getFirst().path("customStatus").asText()).isEmpty();

        set("alice", "a1", "offline", null); // not choosable: ignored
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();
        assertThat(presence.readValuesToList()).last().satisfies(p -> {
            assertThat(p.status()).isEqualTo("busy");
            assertThat(p.customStatus()).isNull();
        });
    }

    @Test
    void anIdleOnlineUserTurnsAwayAndBackOnActivity() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        advance(IDLE - 1_000);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();
        advance(2_000);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice"))
                .singleElement().satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("away"));
        userEvents.pipeInput("alice", new UserEvent(EventIds.next(), "alice", "edge-1", 0, "a1", now(), new UserEvent.MessageAttempt(ROOM)));
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice"))
                .singleElement().satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("online"));
    }

    @Test
    void aMessageSoonAfterTheLastRememberedActivityWritesNothingAndOneLaterMovesTheIdleTimer() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        advance(IDLE / 2);
        message("alice");                       // remembered: the idle timer moves to now + IDLE
        Map<String, PresenceEntry> before = presenceStore();
        advance(IDLE / 60 - 1);                  // within the resolution (1/10 of the idle time)
        message("alice");
        assertThat(presenceStore()).isEqualTo(before);
        advance(IDLE - IDLE / 60 - 1_000);       // IDLE - 1 s after the remembered message
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();
        advance(2_000);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice"))
                .singleElement().satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("away"));
    }

    private void message(String user) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-1", 0, user.charAt(0) + "1", now(),
                new UserEvent.MessageAttempt(ROOM)));
    }

    private Map<String, PresenceEntry> presenceStore() {
        Map<String, PresenceEntry> entries = new java.util.TreeMap<>();
        try (var it = driver.<String, PresenceEntry>getKeyValueStore(io.parley.processors.Stores.PRESENCE_STATE).all()) {
            it.forEachRemaining(kv -> entries.put(kv.key, kv.value));
        }
        return entries;
    }

    @Test
    void aDeadEdgeNodesUsersGoOfflineAfterLeaseAndGraceWhileUsersAlsoElsewhereStayOnline() {
        beat(1);
        beat(2);
        online("bob", "b1", 2);     // observer on the surviving node
        online("alice", "a1", 1);   // only on edge-1
        online("carol", "c1", 1);   // on both
        online("carol", "c2", 2);
        deliveries.readValuesToList();
        presence.readValuesToList();

        // edge-1 stops beating (SIGKILL: no leave, no disconnect); edge-2 goes on.
        for (int i = 0; i < 4; i++) { // 4 s: past the 3 s lease, within the 5 s grace that follows
            advance(LEASE / 3);
            beat(2);
        }
        List<Delivery> afterLease = deliveries.readValuesToList();
        assertThat(events(afterLease, 2, Protocol.USER_LEFT, "alice")).hasSize(1);   // room side: its connections left
        assertThat(events(afterLease, 2, Protocol.USER_LEFT, "carol")).isEmpty();    // carol is still in through edge-2
        assertThat(presenceUpdates(afterLease, 2, "alice")).isEmpty();               // user side: grace period running

        for (int i = 0; i < 8; i++) {
            advance(LEASE / 3);
            beat(2);
        }
        List<Delivery> afterGrace = deliveries.readValuesToList();
        assertThat(presenceUpdates(afterGrace, 2, "alice")).singleElement()
                .satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("offline"));
        assertThat(presenceUpdates(afterGrace, 2, "carol")).isEmpty();
        List<UserPresence> changes = presence.readValuesToList();
        assertThat(changes).extracting(UserPresence::userId).containsExactly("alice");
    }

    @Test
    void aConnectionOverThePerUserLimitAcrossNodesIsClosedByItsNodeAndNeverCounted() {
        int limit = CONFIG.maxConnectionsPerUser();
        assertThat(limit).isEqualTo(20);
        online("bob", "b1", 1);
        for (int i = 1; i <= limit; i++) {
            online("alice", "a" + i, 1 + i % 2); // both nodes
        }
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.ConnectionLimit);
        assertThat(statuses("alice")).containsExactly(Protocol.ONLINE);

        connect("alice", "a-over", 2);
        connect("alice", "a1", 2); // a replayed connected of a counted connection is not a new one
        List<Delivery> out = deliveries.readValuesToList();
        assertThat(out).filteredOn(d -> d.body() instanceof Delivery.ConnectionLimit)
                .containsExactly(new Delivery("edge-2", 1, new Delivery.ConnectionLimit("a-over", "alice", limit)));
        assertThat(subscribes(out, 2)).extracting(Delivery::body) // not subscribed to her rooms either
                .noneMatch(b -> ((Delivery.Subscribe) b).connectionId().equals("a-over"));
        connect("carol", "c1", 2); // another user is not limited by alice's count
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.ConnectionLimit);

        // Its node closes it: its disconnect changes nothing, and she stays online on the others.
        close("alice", "a-over", 2);
        for (int i = 1; i < limit; i++) {
            close("alice", "a" + i, 1 + i % 2);
        }
        advance(GRACE + 1_000);
        assertThat(statuses("alice")).isEmpty(); // one connection (a20) left: still online, nothing published
        // Now under the limit: a new connection is accepted.
        connect("alice", "a-new", 1);
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.ConnectionLimit);
        close("alice", "a" + limit, 1 + limit % 2);
        close("alice", "a-new", 1);
        advance(GRACE + 1_000);
        assertThat(statuses("alice")).containsExactly(Protocol.OFFLINE); // exact: offline once all counted ones are gone
    }
}
