/*
 * MembershipStageTest owns the TopologyTestDriver checks of membership in the room stage: join / leave with two edge nodes (exact deliveries per node, keys
 * and slot partitions, user-joined to the others only, a second device an ack only, the routing
 * table following the connections); membership by user: a member's connections subscribed without
 * a join (and a non-member's not), membership kept without connections, leave-room ending it on
 * every device, remove-member (who may, refusals change nothing, the removed devices unsubscribed).
 * Rooms as objects: RoomAccessTopologyTest.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.event.UserEvent;
import io.parley.processors.presence.PresenceFanout;
import io.parley.contracts.wire.Protocol;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipStageTest extends RoomStageTest {
    @Test
    void joinSendLeaveWithTwoEdgeNodesDeliversOncePerNode() {
        // alice joins on edge-a: reply first, then user-joined to edge-a (the only node).
        Out out = pipe(join("alice", "edge-a", 0, "a1"));
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(ROOM);
            assertThat(e.value().seq()).isEqualTo(1);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberJoined());
        });
        assertThat(out.deliveries()).hasSize(2);
        assertReply(out.deliveries().get(0), "edge-a", 0, "a1", new Protocol.RoomAck(ROOM, 1));
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 1, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("alice", null, null), "alice", 1));
        // Seed 004 tells the other members (socket.to(room)): not the joiner's own sockets.
        assertThat(((Delivery.ToRoom) out.deliveries().get(1).value().body()).excludeUserId()).isEqualTo("alice");

        // bob joins on edge-b (slot 5): user-joined goes to both nodes, once each; the reply comes first.
        out = pipe(join("bob", "edge-b", 5, "b1"));
        assertThat(out.eventSeqs()).containsExactly(2L);
        assertThat(out.deliveries()).hasSize(3);
        assertReply(out.deliveries().get(0), "edge-b", 5, "b1", new Protocol.RoomAck(ROOM, 2));
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("bob", null, null), "bob", 2));
        assertToRoom(out.deliveries().get(2), "edge-b", 5, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("bob", null, null), "bob", 2));

        // alice's second device, on edge-b: she is already a member, so only the reply.
        out = pipe(join("alice", "edge-b", 5, "a2"));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).hasSize(1);
        assertReply(out.deliveries().get(0), "edge-b", 5, "a2", new Protocol.RoomAck(ROOM, 2));

        // carol on edge-a: now each node holds two sockets of the room.
        out = pipe(join("carol", "edge-a", 0, "c1"));
        assertThat(out.eventSeqs()).containsExactly(3L);
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");

        // alice sends from a1: one new-message per node (not per socket); the ack to a1 rides in edge-a's.
        RoomCommand send = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        out = pipe(send);
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(4);
            assertThat(e.value().eventId()).isEqualTo(send.eventId());
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MessageSent(send.eventId(), "m-1", "hello", null));
        });
        assertThat(out.deliveries()).hasSize(2);
        // The message object (seed 004's messageWithUser) is the ack's data and new-message's.
        Protocol.Message message = new Protocol.Message(send.eventId(), ROOM, "alice", "hello", "text",
                Protocol.isoTime(send.timestamp()), new Protocol.User("alice", "alice", null), 4, "m-1", null);
        assertToRoom(out.deliveries().get(0), "edge-a", 0, 4, Protocol.NEW_MESSAGE, message);
        assertToRoom(out.deliveries().get(1), "edge-b", 5, 4, Protocol.NEW_MESSAGE, message);
        assertThat(((Delivery.ToRoom) out.deliveries().get(0).value().body()).ack())
                .isEqualTo(new Delivery.Ack("a1", send.ref()));
        assertThat(((Delivery.ToRoom) out.deliveries().get(1).value().body()).ack()).isNull();

        // bob leaves by request: ack, member-left, user-left to both nodes (alice's a2 keeps edge-b in the room).
        out = pipe(leave("bob", "edge-b", 5, "b1", "client"));
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(5);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberLeft("client"));
        });
        assertReply(out.deliveries().get(0), "edge-b", 5, "b1", new Protocol.RoomAck(ROOM, 5));
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");

        // a2 disconnects: alice is still a member through a1; no reply to a closed socket, no event.
        out = pipe(leave("alice", "edge-b", 5, "a2", "disconnect"));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).isEmpty();

        // edge-b holds no socket of the room any more: carol's message goes to edge-a only.
        out = pipe(send("carol", "edge-a", 0, "c1", null, "hi", null));
        assertThat(out.eventSeqs()).containsExactly(6L);
        assertThat(out.deliveries()).hasSize(1);
        assertThat(out.toRoomNodes()).containsExactly("edge-a");

        // alice's last connection disconnects: member-left(disconnect), no reply, user-left to edge-a.
        out = pipe(leave("alice", "edge-a", 0, "a1", "disconnect"));
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(7);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberLeft("disconnect"));
        });
        assertThat(out.deliveries()).singleElement().satisfies(d ->
                assertToRoom(d, "edge-a", 0, 7, Protocol.USER_LEFT, new Protocol.MembershipChange(ROOM, Protocol.User.of("alice", null, null), "alice", 7)));
    }

    // --- membership by user -----------------------------------------------------------------

    /** The presence stage's request to subscribe a connection of {@code user} (it opened, or another device joined). */
    private Out subscribe(String user, String node, int slot, String connection) {
        int n = ids.incrementAndGet();
        clock += 7;
        fanout.pipeInput(ROOM, PresenceFanout.subscribe(ROOM, new PresenceFanout.Subscription(io.parley.contracts.EventIds.next(), user, connection,
                node, slot, clock)), clock);
        Out out = new Out(events.readRecordsToList(), deliveries.readRecordsToList());
        out.events().forEach(e -> seen.add(e.value()));
        return out;
    }

    private static void assertSubscribe(TestRecord<String, Delivery> record, String node, String connection) {
        assertThat(record.key()).isEqualTo(node);
        assertThat(record.value().body()).isInstanceOfSatisfying(Delivery.Subscribe.class, s -> {
            assertThat(s.connectionId()).isEqualTo(connection);
            assertThat(s.roomId()).isEqualTo(ROOM);
        });
    }

    @Test
    void aMembersConnectionIsSubscribedWithoutAJoinAndANonMembersIsNot() {
        pipe(join("alice", "edge-a", 0, "a1"));
        pipe(join("bob", "edge-a", 0, "b1"));
        userEvents.readRecordsToList();

        // alice's second device opens on edge-b: subscribed (no event: she has a connection in the room).
        Out out = subscribe("alice", "edge-b", 5, "a2");
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertSubscribe(d, "edge-b", "a2"));
        // ... and edge-b is now in the routing table: bob's message reaches it.
        assertThat(pipe(send("bob", "edge-a", 0, "b1", null, "hi", null)).toRoomNodes()).containsExactly("edge-a", "edge-b");
        // Asked again (a replay, or the device joining itself): a subscribe again, nothing else.
        assertThat(subscribe("alice", "edge-b", 5, "a2").deliveries()).singleElement().satisfies(d -> assertSubscribe(d, "edge-b", "a2"));
        assertThat(pipe(join("alice", "edge-b", 5, "a2")).deliveries()).singleElement().satisfies(d ->
                assertReply(d, "edge-b", 5, "a2", new Protocol.RoomAck(ROOM, 3)));

        // mallory is no member: nothing at all.
        out = subscribe("mallory", "edge-b", 5, "m1");
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).isEmpty();
        assertThat(pipe(send("mallory", "edge-b", 5, "m1", null, "hi", null)).deliveries()).singleElement()
                .satisfies(d -> assertError(d, "edge-b", 5, "m1", ErrorCode.AUTHORIZATION_FAILED));
    }

    @Test
    void aMemberStaysAMemberWithoutConnectionsAndTheirNextConnectionIsSubscribedAsAJoin() {
        pipe(join("alice", "edge-a", 0, "a1"));                     // seq 1
        pipe(join("bob", "edge-a", 0, "b1"));                       // seq 2
        pipe(leave("alice", "edge-a", 0, "a1", "disconnect"));      // seq 3: member-left(disconnect), she stays a member
        assertThat(store().get(RoomKeys.member(ROOM, "alice"))).isEqualTo(new RoomEntry.Member(RoomAccess.MEMBER));
        userEvents.readRecordsToList();

        // Her next connection, on edge-b, is subscribed like a join: member-joined, user-joined to the others, room-joined.
        Out out = subscribe("alice", "edge-b", 5, "a2");
        assertThat(out.eventSeqs()).containsExactly(4L);
        assertThat(out.events().get(0).value().body()).isEqualTo(new RoomEvent.MemberJoined());
        assertSubscribe(out.deliveries().get(0), "edge-b", "a2");
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");
        assertThat(userEvents.readRecordsToList()).singleElement().satisfies(u ->
                assertThat(u.value().body()).isEqualTo(new UserEvent.RoomJoined(ROOM)));
        // A replay of the same request decides the same (the decision is remembered under a derived id).
        assertThat(pipe(send("bob", "edge-a", 0, "b1", null, "hi", null)).toRoomNodes()).containsExactly("edge-a", "edge-b");
    }

    @Test
    void leaveRoomEndsTheMembershipOnEveryDevice() {
        pipe(join("alice", "edge-a", 0, "a1"));                     // seq 1
        pipe(join("bob", "edge-a", 0, "b1"));                       // seq 2
        subscribe("alice", "edge-b", 5, "a2");
        userEvents.readRecordsToList();

        // alice leaves from a1: ack, member-left(client), user-left then unsubscribe to every node the room had.
        Out out = pipe(leave("alice", "edge-a", 0, "a1", "client"));
        assertThat(out.eventSeqs()).containsExactly(3L);
        assertThat(out.events().get(0).value().body()).isEqualTo(new RoomEvent.MemberLeft("client"));
        assertReply(out.deliveries().get(0), "edge-a", 0, "a1", new Protocol.RoomAck(ROOM, 3));
        assertThat(out.deliveries().subList(1, 5)).extracting(d -> d.key() + ":" + d.value().body().getClass().getSimpleName())
                .containsExactly("edge-a:ToRoom", "edge-b:ToRoom", "edge-a:Unsubscribe", "edge-b:Unsubscribe");
        assertThat(out.deliveries().get(4).value().body()).isEqualTo(new Delivery.Unsubscribe(ROOM, "alice"));
        assertThat(userEvents.readRecordsToList()).singleElement().satisfies(u ->
                assertThat(u.value().body()).isEqualTo(new UserEvent.RoomLeft(ROOM, "client")));
        assertThat(store().get(RoomKeys.member(ROOM, "alice"))).isNull();

        // Neither device is in the room any more: bob's next message goes to edge-a only; alice's send is refused;
        // a later subscribe request for her (in flight) does nothing.
        assertThat(pipe(send("bob", "edge-a", 0, "b1", null, "hi", null)).toRoomNodes()).containsExactly("edge-a");
        assertThat(pipe(send("alice", "edge-b", 5, "a2", null, "hi", null)).deliveries()).singleElement()
                .satisfies(d -> assertError(d, "edge-b", 5, "a2", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(subscribe("alice", "edge-b", 5, "a3").deliveries()).isEmpty();
    }

    @Test
    void removeMemberIsForAdminsAndTheOwnerEndsTheMembershipAndRefusalsChangeNothing() {
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.CreateRoom(null, null, "private", null,
                List.of("bob", "carol"))));                         // seqs 1-3
        pipe(join("alice", "edge-a", 0, "a1"));                     // 4
        pipe(join("bob", "edge-b", 5, "b1"));                       // 5
        subscribe("bob", "edge-a", 0, "b2");                        // bob's second device
        pipe(join("carol", "edge-a", 0, "c1"));                     // 6
        userEvents.readRecordsToList();

        // Refusals: carol is a member only; nobody removes the owner; a non-member is not removable; nothing changes.
        RoomEntry headBefore = store().get(RoomKeys.head(ROOM));
        for (RoomCommand refused : List.of(
                command("carol", "edge-a", 0, "c1", ROOM, new RoomCommand.RemoveMember("bob")),
                command("mallory", "edge-a", 0, "m1", ROOM, new RoomCommand.RemoveMember("bob")),
                command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.RemoveMember("alice")),
                command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.RemoveMember("dave")),
                command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.RemoveMember(" ")))) {
            Out out = pipe(refused);
            assertThat(out.events()).isEmpty();
            assertThat(out.deliveries()).singleElement().satisfies(d -> assertThat(((Delivery.Reply) d.value().body()).ok()).isFalse());
        }
        assertThat(store().get(RoomKeys.head(ROOM))).isEqualTo(headBefore);
        assertThat(userEvents.readRecordsToList()).isEmpty();

        // alice removes bob: ack, member-removed to both nodes (bob's devices see it), then unsubscribe to both.
        Out out = pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.RemoveMember("bob")));
        assertThat(out.eventSeqs()).containsExactly(7L);
        assertThat(out.events().get(0).value().body()).isEqualTo(new RoomEvent.MemberRemoved("bob"));
        Protocol.MemberRemoved removed = new Protocol.MemberRemoved(ROOM, "bob", "alice", 7);
        assertReply(out.deliveries().get(0), "edge-a", 0, "a1", removed);
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 7, Protocol.MEMBER_REMOVED, removed);
        assertToRoom(out.deliveries().get(2), "edge-b", 5, 7, Protocol.MEMBER_REMOVED, removed);
        assertThat(out.deliveries().subList(3, 5)).extracting(d -> d.key() + ":" + d.value().body())
                .containsExactly("edge-a:" + new Delivery.Unsubscribe(ROOM, "bob"), "edge-b:" + new Delivery.Unsubscribe(ROOM, "bob"));
        assertThat(userEvents.readRecordsToList()).singleElement().satisfies(u -> {
            assertThat(u.key()).isEqualTo("bob");
            assertThat(u.value().body()).isEqualTo(new UserEvent.RoomLeft(ROOM, "removed"));
        });
        assertThat(store().get(RoomKeys.room(ROOM))).isInstanceOfSatisfying(RoomEntry.Room.class, r -> assertThat(r.members()).isEqualTo(2));

        // The next event reaches edge-a (alice, carol) only; bob's sends, typing and join are refused.
        assertThat(pipe(send("carol", "edge-a", 0, "c1", null, "hi", null)).toRoomNodes()).containsExactly("edge-a");
        assertThat(pipe(send("bob", "edge-b", 5, "b1", null, "hi", null)).deliveries()).singleElement()
                .satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(pipe(join("bob", "edge-b", 5, "b1")).deliveries()).singleElement()
                .satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(subscribe("bob", "edge-b", 5, "b3").deliveries()).isEmpty();
    }

    @Test
    void anAdminRemovesMembersButNotAdmins() {
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.CreateRoom(null, null, "public", null,
                List.of("bob", "carol", "dave"))));
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.SetRole("bob", "admin")));
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.SetRole("carol", "admin")));
        Out refused = pipe(command("bob", "edge-a", 0, "b1", ROOM, new RoomCommand.RemoveMember("carol")));
        assertThat(refused.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "b1", ErrorCode.AUTHORIZATION_FAILED));
        Out out = pipe(command("bob", "edge-a", 0, "b1", ROOM, new RoomCommand.RemoveMember("dave")));
        assertThat(out.events()).singleElement().satisfies(e -> assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberRemoved("dave")));
        assertThat(store().get(RoomKeys.member(ROOM, "dave"))).isNull();
    }

    @Test
    void aDeletedRoomsMembersAreNotSubscribedAndTheirJoinIsRefused() {
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob"))));
        pipe(join("bob", "edge-a", 0, "b1"));
        Out deleted = pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.DeleteRoom(null)));
        assertThat(deleted.events()).singleElement().satisfies(e -> assertThat(e.value().body()).isEqualTo(new RoomEvent.RoomDeleted("owner")));
        // bob is still a member (u|), but his new device is not subscribed to the deleted room: IGNORED, nothing out.
        assertThat(store().get(RoomKeys.member(ROOM, "bob"))).isNotNull();
        Out out = subscribe("bob", "edge-b", 5, "b2");
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).isEmpty();
        assertThat(store().get(RoomKeys.connections(ROOM, "bob"))).isInstanceOf(RoomEntry.Connections.class)
                .satisfies(c -> assertThat(((RoomEntry.Connections) c).connections()).doesNotContainKey("b2"));
        Out join = pipe(join("bob", "edge-b", 5, "b2"));
        assertThat(join.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "b2", ErrorCode.INVALID_ROOM));
    }

    @Test
    void removingAMutedMemberDropsTheMutedFlag() {
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.CreateRoom(null, null, "public", null, List.of("bob"))));
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.MuteMember("bob")));
        assertThat(store().get(RoomKeys.member(ROOM, "bob"))).isEqualTo(new RoomEntry.Member(RoomAccess.MEMBER, true));
        pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.RemoveMember("bob")));
        assertThat(store().get(RoomKeys.member(ROOM, "bob"))).isNull();
        // A public room: bob joins again, a member, not muted; his message is accepted.
        pipe(join("bob", "edge-a", 0, "b1"));
        assertThat(store().get(RoomKeys.member(ROOM, "bob"))).isEqualTo(new RoomEntry.Member(RoomAccess.MEMBER));
        Out sent = pipe(send("bob", "edge-a", 0, "b1", null, "back", null));
        assertThat(sent.events()).singleElement().satisfies(e -> assertThat(e.value().body()).isInstanceOf(RoomEvent.MessageSent.class));
    }

    @Test
    void aMemberMadeByAnotherUserIsAnnouncedToThePresenceStageAsAdded() {
        // create-room naming bob and carol: one room-joined (reason added) each, keyed by the member.
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob", "carol"))));
        assertThat(userEvents.readRecordsToList()).satisfiesExactly(
                u -> assertAdded(u, "bob", "team", 2), u -> assertAdded(u, "carol", "team", 3));

        // add-member: after the member-added delivery, the new member's room-joined (added); nothing for the adder.
        pipe(join("alice", "edge-a", 0, "a1", "team"));
        userEvents.readRecordsToList();
        pipe(command("alice", "edge-a", 0, "a1", "team", new RoomCommand.AddMember("dave")));
        assertThat(userEvents.readRecordsToList()).singleElement().satisfies(u -> assertAdded(u, "dave", "team", 5));
        // Already a member (an ack), or a refusal: no room-joined.
        pipe(command("alice", "edge-a", 0, "a1", "team", new RoomCommand.AddMember("dave")));
        pipe(command("bob", "c-b", "team", new RoomCommand.AddMember("erin")));
        assertThat(userEvents.readRecordsToList()).isEmpty();

        // open-direct that creates the pair's room: the other user's room-joined (added); found again: nothing.
        String direct = io.parley.contracts.DirectRooms.idOf("alice", "frank");
        pipe(command("alice", "c-a", direct, new RoomCommand.OpenDirect("frank")));
        assertThat(userEvents.readRecordsToList()).singleElement().satisfies(u -> assertAdded(u, "frank", direct, 2));
        pipe(command("frank", "c-f", direct, new RoomCommand.OpenDirect("alice")));
        assertThat(userEvents.readRecordsToList()).isEmpty();
    }

    /** {@code seq}: the room seq of the member's member-added. */
    private static void assertAdded(TestRecord<String, UserEvent> record, String user, String room, long seq) {
        assertThat(record.key()).isEqualTo(user);
        assertThat(record.value().userId()).isEqualTo(user);
        assertThat(record.value().body()).isEqualTo(UserEvent.RoomJoined.added(room, seq, "alice"));
    }
}
