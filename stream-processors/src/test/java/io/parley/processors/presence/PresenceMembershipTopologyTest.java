/*
 * PresenceMembershipTopologyTest owns the checks of membership by user through the presence
 * stage, on the whole processors topology: a member's devices subscribed to the user's rooms
 * without a join (on connect, and when another device joins), until leave-room; an added member's
 * open connections (add-member, create-room's members, open-direct's other user) subscribed at
 * once with what they missed since the add, a user with no open connection getting only the
 * membership (and the room on their next connection).
 */
package io.parley.processors.presence;

import io.parley.contracts.EventIds;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.wire.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PresenceMembershipTopologyTest extends PresenceStageTest {
    // --- membership by user: a member's devices get the room without a join ---

    @Test
    void aMembersDevicesAreSubscribedWithoutAJoinWhenTheyConnectAndWhenAnotherDeviceJoins() {
        connect("alice", "a0", 2);      // a device open before alice joins the room
        online("bob", "b1", 1);
        online("alice", "a1", 1);       // her join subscribes her other device a0 too
        List<Delivery> out = deliveries.readValuesToList();
        assertThat(subscribes(out, 2)).extracting(Delivery::body).containsExactly(new Delivery.Subscribe("a0", ROOM, "alice"));

        connect("alice", "a2", 2);      // a device connected later, on the other node: no join
        out = deliveries.readValuesToList();
        assertThat(subscribes(out, 2)).extracting(Delivery::body).containsExactly(new Delivery.Subscribe("a2", ROOM, "alice"));
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, "bob", "edge-1", 0, "b1", "s", now(),
                new RoomCommand.Send(null, "hello", null)));
        assertThat(deliveries.readValuesToList()).filteredOn(d -> d.body() instanceof Delivery.ToRoom t
                && t.event().equals(Protocol.NEW_MESSAGE)).extracting(Delivery::edgeNodeId).containsExactly("edge-1", "edge-2");

        // Every device closes; the membership stays: her next connection is subscribed, no join needed.
        close("alice", "a0", 2);
        close("alice", "a1", 1);
        close("alice", "a2", 2);
        deliveries.readValuesToList();
        connect("alice", "a3", 2);
        assertThat(subscribes(deliveries.readValuesToList(), 2)).extracting(Delivery::body)
                .containsExactly(new Delivery.Subscribe("a3", ROOM, "alice"));

        // After leave-room, her next connection gets nothing of the room.
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, "alice", "edge-2", 1, "a3", "l", now(),
                new RoomCommand.Leave("client")));
        deliveries.readValuesToList();
        connect("alice", "a4", 1);
        assertThat(subscribes(deliveries.readValuesToList(), 1)).isEmpty();
    }

    private void command(String user, String conn, int edge, String room, RoomCommand.Body body) {
        commands.pipeInput(room, new RoomCommand(EventIds.next(), room, user, "edge-" + edge, edge - 1, conn, "r", now(), body));
    }

    /** The Subscribes of {@code user} to {@code edge}; the first of each connection only (a repeat is idempotent at the edge). */
    private static List<Delivery.Subscribe> subscribesOf(List<Delivery> all, int edge, String user) {
        Map<String, Delivery.Subscribe> first = new java.util.LinkedHashMap<>();
        all.stream().filter(d -> d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.Subscribe s
                && s.userId().equals(user)).forEach(d -> first.putIfAbsent(((Delivery.Subscribe) d.body()).connectionId(),
                (Delivery.Subscribe) d.body()));
        return List.copyOf(first.values());
    }

    private static List<Delivery> toRoom(List<Delivery> all, String room, String event) {
        return all.stream().filter(d -> d.body() instanceof Delivery.ToRoom t && t.roomId().equals(room)
                && t.event().equals(event)).toList();
    }

    @Test
    void anAddedMembersOpenConnectionsOnTwoNodesAreSubscribedAtOnceWithoutAJoin() {
        connect("alice", "a1", 1);
        command("alice", "a1", 1, "team", new RoomCommand.CreateRoom(null, null, "private", null, null));
        command("alice", "a1", 1, "team", new RoomCommand.Join());
        connect("bob", "b1", 1);
        connect("bob", "b2", 2);
        deliveries.readValuesToList();

        command("alice", "a1", 1, "team", new RoomCommand.AddMember("bob"));
        List<Delivery> out = deliveries.readValuesToList();
        // member-added went to the room (alice's node) before bob's connections were subscribed; then both are.
        assertThat(toRoom(out, "team", Protocol.MEMBER_ADDED)).extracting(Delivery::edgeNodeId).containsExactly("edge-1");
        // Each first Subscribe says what the connection missed: the member-added (seq 3, by alice) and what came after
        // it up to its subscription (seq 4: bob's member-joined), for the node to give it and recover the rest.
        assertThat(subscribesOf(out, 1, "bob")).containsExactly(new Delivery.Subscribe("b1", "team", "bob", 3L, 4L, "alice"));
        assertThat(subscribesOf(out, 2, "bob")).containsExactly(new Delivery.Subscribe("b2", "team", "bob", 3L, 4L, "alice"));
        // His first subscribed connection is his joining: alice's node hears user-joined (not his own sockets).
        assertThat(toRoom(out, "team", Protocol.USER_JOINED)).singleElement().satisfies(d -> {
            assertThat(((Delivery.ToRoom) d.body()).excludeUserId()).isEqualTo("bob");
            assertThat(((Delivery.ToRoom) d.body()).data().path("userId").asText()).isEqualTo("bob");
        });
        // Every Subscribe of a node is ordered before the room's next event on that node's partition: alice's message
        // reaches both of bob's nodes, once each.
        command("alice", "a1", 1, "team", new RoomCommand.Send(null, "welcome", null));
        assertThat(toRoom(deliveries.readValuesToList(), "team", Protocol.NEW_MESSAGE)).extracting(Delivery::edgeNodeId)
                .containsExactlyInAnyOrder("edge-1", "edge-2");
        // He is a member for the presence stage too: a device connecting later is subscribed as well.
        connect("bob", "b3", 2);
        assertThat(subscribesOf(deliveries.readValuesToList(), 2, "bob")).containsExactly(new Delivery.Subscribe("b3", "team", "bob"));
    }

    @Test
    void anAddedUserWithNoOpenConnectionGetsOnlyTheMembershipAndTheRoomOnTheirNextConnection() {
        connect("alice", "a1", 1);
        command("alice", "a1", 1, "team", new RoomCommand.CreateRoom(null, null, "private", null, null));
        command("alice", "a1", 1, "team", new RoomCommand.Join());
        deliveries.readValuesToList();
        presence.readValuesToList();

        command("alice", "a1", 1, "team", new RoomCommand.AddMember("carol"));
        List<Delivery> out = deliveries.readValuesToList();
        assertThat(out).noneMatch(d -> d.body() instanceof Delivery.Subscribe);
        assertThat(toRoom(out, "team", Protocol.USER_JOINED)).isEmpty();
        assertThat(presenceUpdates(out, 1, "carol")).isEmpty(); // not online: the room learns no presence of her
        assertThat(statuses("carol")).isEmpty();

        connect("carol", "c1", 2);
        out = deliveries.readValuesToList();
        assertThat(subscribesOf(out, 2, "carol")).containsExactly(new Delivery.Subscribe("c1", "team", "carol")); // as any member's
        assertThat(toRoom(out, "team", Protocol.USER_JOINED)).extracting(Delivery::edgeNodeId) // her own sockets excluded
                .containsExactlyInAnyOrder("edge-1", "edge-2");
    }

    @Test
    void createRoomsNamedMembersAndTheOtherUserOfANewDirectRoomAreSubscribedAtOnce() {
        connect("bob", "b1", 2);
        connect("carol", "c1", 1);
        command("alice", "a1", 1, "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob", "carol", "dave")));
        List<Delivery> out = deliveries.readValuesToList();
        // seq 1 room-created, 2-4 member-added (bob, carol, dave): bob's first subscription is member-joined 5, carol's 6.
        assertThat(subscribesOf(out, 2, "bob")).containsExactly(new Delivery.Subscribe("b1", "team", "bob", 2L, 5L, "alice"));
        assertThat(subscribesOf(out, 1, "carol")).containsExactly(new Delivery.Subscribe("c1", "team", "carol", 3L, 6L, "alice"));
        assertThat(out).noneMatch(d -> d.body() instanceof Delivery.Subscribe s && !Set.of("bob", "carol").contains(s.userId()));

        String direct = io.parley.contracts.DirectRooms.idOf("alice", "bob");
        command("alice", "a1", 1, direct, new RoomCommand.OpenDirect("bob"));
        out = deliveries.readValuesToList();
        assertThat(subscribesOf(out, 2, "bob")).containsExactly(new Delivery.Subscribe("b1", direct, "bob", 2L, 3L, "alice"));
        assertThat(out).noneMatch(d -> d.body() instanceof Delivery.Subscribe s && !s.userId().equals("bob"));
        // Found again (by bob): no new subscription.
        command("bob", "b1", 2, direct, new RoomCommand.OpenDirect("alice"));
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.Subscribe);
    }
}
