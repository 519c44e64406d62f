/*
 * NodeExpiryStageTest owns the TopologyTestDriver checks of node expiry in the room stage: an
 * expired edge node's connections leave as if their sockets had closed (the user's last one:
 * member-left(disconnect) and user-left to the remaining nodes; another device: nothing), the
 * node leaves the routing table, memberships stay, a replayed expiry changes nothing more, and a
 * restart (before) drops only the connections of earlier boots. The whole lease path (heartbeats,
 * ticks, presence): LeaseTopologyTest.
 */
package io.parley.processors.room;

import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.Stores;
import io.parley.processors.lease.NodeExpired;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeExpiryStageTest extends RoomStageTest {

    private Out expire(NodeExpired expired) {
        expiries.pipeInput(expired.edgeNodeId(), expired, clock);
        return new Out(events.readRecordsToList(), deliveries.readRecordsToList());
    }

    @Test
    void anExpiredNodesConnectionsLeaveAsDisconnectsAndTheMembershipsStay() {
        pipe(join("alice", "edge-a", 0, "a1"));   // seq 1
        pipe(join("bob", "edge-b", 5, "b1"));     // seq 2
        pipe(join("alice", "edge-b", 5, "a2"));   // alice's second device, on edge-b

        NodeExpired expired = new NodeExpired("edge-b", 5, EventIds.next(), clock);
        Out out = expire(expired);
        // bob's only connection: member-left(disconnect), user-left to the room's nodes (edge-b too: the
        // connections are left one by one, bob's first, while alice's a2 still counted there); alice's a2: nothing.
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().userId()).isEqualTo("bob");
            assertThat(e.value().seq()).isEqualTo(3);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberLeft("disconnect"));
        });
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");
        assertToRoom(out.deliveries().get(0), "edge-a", 0, 3, Protocol.USER_LEFT, new Protocol.MembershipChange(ROOM,
                Protocol.User.of("bob", null, null), "bob", 3));
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        try (var it = store.range(RoomKeys.nodePrefix("edge-b"), RoomKeys.nodePrefix("edge-b") + "\uffff")) {
            assertThat(it.hasNext()).isFalse();
        }
        assertThat(store.get(RoomKeys.member(ROOM, "bob"))).isNotNull(); // a disconnect ends no membership
        assertThat(pipe(send("alice", "edge-a", 0, "a1", null, "hi", null)).toRoomNodes()).containsExactly("edge-a");

        // Seen again (a replay after a crash): the remembered expiry makes the same leave, which re-emits
        // its original event (same id, same seq), nothing new (NodeExpiryLeaves).
        Out again = expire(expired);
        assertThat(again.events()).extracting(TestRecord::value)
                .containsExactlyElementsOf(out.events().stream().map(TestRecord::value).toList());
        assertThat(store.get(RoomKeys.member(ROOM, "bob"))).isNotNull();
    }

    @Test
    void aRestartDropsOnlyTheConnectionsOfEarlierBoots() {
        String older = EventIds.next();
        String boot = EventIds.next();
        String newer = EventIds.next();
        pipe(join("alice", "edge-b", 5, older));
        pipe(join("bob", "edge-b", 5, newer));
        Out out = expire(new NodeExpired("edge-b", 5, EventIds.next(), clock, boot));
        assertThat(out.events()).singleElement().satisfies(e -> assertThat(e.value().userId()).isEqualTo("alice"));
        assertThat(pipe(send("bob", "edge-b", 5, newer, null, "still here", null)).toRoomNodes()).containsExactly("edge-b");
    }
}
