/*
 * RoomLifecycleTopologyTest owns the checks of a created room's later life in the room stage, on
 * the real topology in a TopologyTestDriver: update-room, delete-room (and INVALID_ROOM for every
 * command afterwards), mute / unmute and the muted member's send (a mute kept across leave-room and
 * join, cleared by unmute, also while away, or remove-member), open-direct, idle expiry by the
 * punctuator, refusals changing nothing, and lifecycle decisions re-emitted identically.
 */
package io.parley.processors.room;

import io.parley.contracts.DirectRooms;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RoomLifecycleTopologyTest extends RoomStageTest {

    @Test
    void updateRoomByAnAdminOrTheOwnerOnlyAndRefusalsChangeNothing() {
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom("Team", "us", "private", 10, List.of("bob", "carol"))));
        pipe(command("alice", "c-a", "team", new RoomCommand.SetRole("bob", "admin")));
        RoomEntry before = store().get(RoomKeys.room("team"));
        long seq = head("team");
        for (String user : List.of("carol", "mallory")) {
            Out refused = pipe(command(user, "c-" + user, "team", new RoomCommand.UpdateRoom("Mine", null, 1)));
            assertThat(refused.events()).isEmpty();
            assertThat(onlyReply(refused).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        }
        assertThat(store().get(RoomKeys.room("team"))).isEqualTo(before);
        assertThat(head("team")).isEqualTo(seq);

        pipe(command("carol", "c-c", "team", new RoomCommand.Join()));
        Out updated = pipe(command("bob", "c-b", "team", new RoomCommand.UpdateRoom("Lounge", null, 20)));
        assertThat(updated.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.RoomUpdated("Lounge", null, 20));
        assertThat(updated.events().getFirst().value().seq()).isEqualTo(seq + 2);
        assertThat(toRoom(updated, "room-updated")).hasSize(1);
        assertThat(store().get(RoomKeys.room("team"))).isEqualTo(new RoomEntry.Room("Lounge", "us", "private", "alice", 20, 3));
    }

    @Test
    void deleteRoomByTheOwnerOnlyThenEveryCommandIsRefusedWithInvalidRoom() {
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom(null, null, "public", null, List.of("bob"))));
        pipe(command("alice", "c-a", "team", new RoomCommand.SetRole("bob", "admin")));
        pipe(command("bob", "c-b", "team", new RoomCommand.Join()));
        long seq = head("team");
        Out refused = pipe(command("bob", "c-b", "team", new RoomCommand.DeleteRoom(null)));
        assertThat(refused.events()).isEmpty();
        assertThat(onlyReply(refused).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(head("team")).isEqualTo(seq);

        Out deleted = pipe(command("alice", "c-a", "team", new RoomCommand.DeleteRoom(null)));
        assertThat(deleted.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.RoomDeleted("owner"));
        assertThat(toRoom(deleted, "room-deleted")).hasSize(1); // bob's node hears it
        assertThat(onlyReply(deleted).ok()).isTrue();

        for (RoomCommand.Body body : List.<RoomCommand.Body>of(new RoomCommand.Send("x", "hi", null), new RoomCommand.Join(),
                new RoomCommand.UpdateRoom("n", null, null), new RoomCommand.AddMember("carol"), new RoomCommand.MarkRead(1),
                new RoomCommand.CreateRoom(null, null, "public", null, null), new RoomCommand.TypingStart())) {
            Out after = pipe(command("bob", "c-b", "team", body));
            assertThat(after.events()).as("%s", body).isEmpty();
            assertThat(onlyReply(after).error().code()).as("%s", body).isEqualTo(ErrorCode.INVALID_ROOM);
        }
        // A connection's leave is answered and drops its entries, without an event.
        Out leave = pipe(command("bob", "c-b", "team", new RoomCommand.Leave("client")));
        assertThat(leave.events()).isEmpty();
        assertThat(onlyReply(leave).ok()).isTrue();
        assertThat(store().get(RoomKeys.connections("team", "bob"))).isNull();
        assertThat(head("team")).isEqualTo(seq + 1);
    }

    @Test
    void aMutedMemberCannotSendUntilUnmutedAndOnlyManagersMute() {
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob", "carol"))));
        pipe(command("alice", "c-a", "team", new RoomCommand.SetRole("bob", "admin")));
        pipe(command("carol", "c-c", "team", new RoomCommand.Join()));
        long seq = head("team");
        Out notManager = pipe(command("carol", "c-c", "team", new RoomCommand.MuteMember("bob")));
        assertThat(notManager.events()).isEmpty();
        assertThat(onlyReply(notManager).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        Out adminOnOwner = pipe(command("bob", "c-b", "team", new RoomCommand.MuteMember("alice")));
        assertThat(onlyReply(adminOnOwner).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(head("team")).isEqualTo(seq);

        Out muted = pipe(command("bob", "c-b", "team", new RoomCommand.MuteMember("carol")));
        assertThat(muted.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.MemberMuted("carol"));
        assertThat(toRoom(muted, "member-muted")).hasSize(1);
        Out again = pipe(command("bob", "c-b", "team", new RoomCommand.MuteMember("carol")));
        assertThat(again.events()).isEmpty();
        assertThat(onlyReply(again).ok()).isTrue();

        Out send = pipe(command("carol", "c-c", "team", new RoomCommand.Send(null, "hi", null)));
        assertThat(send.events()).isEmpty();
        assertThat(onlyReply(send).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(head("team")).isEqualTo(seq + 1);

        Out unmuted = pipe(command("alice", "c-a", "team", new RoomCommand.UnmuteMember("carol")));
        assertThat(unmuted.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.MemberUnmuted("carol"));
        Out sent = pipe(command("carol", "c-c", "team", new RoomCommand.Send(null, "hi", null)));
        assertThat(sent.events()).hasSize(1).allSatisfy(e -> assertThat(e.value().body()).isInstanceOf(RoomEvent.MessageSent.class));
    }

    @Test
    void aMutedMemberWhoLeavesComesBackMutedUntilUnmutedOrRemoved() {
        pipe(command("alice", "c-a", "town", new RoomCommand.CreateRoom(null, null, "public", null, List.of("bob"))));
        pipe(command("alice", "c-a", "town", new RoomCommand.SetRole("bob", "admin")));
        pipe(command("bob", "c-b", "town", new RoomCommand.Join()));
        pipe(command("carol", "c-c", "town", new RoomCommand.Join()));
        pipe(command("bob", "c-b", "town", new RoomCommand.MuteMember("carol")));
        Out left = pipe(command("carol", "c-c", "town", new RoomCommand.Leave("client")));
        assertThat(left.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.MemberLeft("client"));
        assertThat(store().get(RoomKeys.member("town", "carol"))).isNull();
        assertThat(store().get(RoomKeys.leftMuted("town", "carol"))).isEqualTo(new RoomEntry.LeftMuted(head("town")));

        Out back = pipe(command("carol", "c-c", "town", new RoomCommand.Join()));
        assertThat(back.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.MemberJoined());
        assertThat(store().get(RoomKeys.member("town", "carol"))).isEqualTo(new RoomEntry.Member("member", true));
        assertThat(store().get(RoomKeys.leftMuted("town", "carol"))).isNull();
        assertRefusedSend("carol", "c-c");

        Out unmuted = pipe(command("bob", "c-b", "town", new RoomCommand.UnmuteMember("carol")));
        assertThat(unmuted.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.MemberUnmuted("carol"));
        assertAcceptedSend("carol", "c-c");

        // Left muted, unmuted while away (by an admin): the mark goes, the return is unmuted. A mute
        // of a user who is not a member is still refused.
        pipe(command("bob", "c-b", "town", new RoomCommand.MuteMember("carol")));
        pipe(command("carol", "c-c", "town", new RoomCommand.Leave("client")));
        Out muteAway = pipe(command("bob", "c-b", "town", new RoomCommand.MuteMember("carol")));
        assertThat(muteAway.events()).isEmpty();
        assertThat(onlyReply(muteAway).error().code()).isEqualTo(ErrorCode.INVALID_MESSAGE);
        Out unmuteAway = pipe(command("bob", "c-b", "town", new RoomCommand.UnmuteMember("carol")));
        assertThat(unmuteAway.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.MemberUnmuted("carol"));
        assertThat(toRoom(unmuteAway, "member-unmuted")).hasSize(1);
        assertThat(store().get(RoomKeys.leftMuted("town", "carol"))).isNull();
        Out unmuteAgain = pipe(command("bob", "c-b", "town", new RoomCommand.UnmuteMember("carol")));
        assertThat(onlyReply(unmuteAgain).error().code()).isEqualTo(ErrorCode.INVALID_MESSAGE); // nothing left to unmute
        pipe(command("carol", "c-c", "town", new RoomCommand.Join()));
        assertThat(store().get(RoomKeys.member("town", "carol"))).isEqualTo(new RoomEntry.Member("member"));
        assertAcceptedSend("carol", "c-c");

        // remove-member clears the mute: the removed member comes back unmuted.
        pipe(command("bob", "c-b", "town", new RoomCommand.MuteMember("carol")));
        Out removed = pipe(command("alice", "c-a", "town", new RoomCommand.RemoveMember("carol")));
        assertThat(removed.events()).extracting(e -> e.value().body()).containsExactly(new RoomEvent.MemberRemoved("carol"));
        assertThat(store().get(RoomKeys.leftMuted("town", "carol"))).isNull();
        pipe(command("carol", "c-c", "town", new RoomCommand.Join()));
        assertThat(store().get(RoomKeys.member("town", "carol"))).isEqualTo(new RoomEntry.Member("member"));
        assertAcceptedSend("carol", "c-c");
    }

    private void assertRefusedSend(String user, String connection) {
        long seq = head("town");
        Out send = pipe(command(user, connection, "town", new RoomCommand.Send(null, "hi", null)));
        assertThat(send.events()).isEmpty();
        assertThat(onlyReply(send).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(head("town")).isEqualTo(seq);
    }

    private void assertAcceptedSend(String user, String connection) {
        Out sent = pipe(command(user, connection, "town", new RoomCommand.Send(null, "hi", null)));
        assertThat(sent.events()).hasSize(1).allSatisfy(e -> assertThat(e.value().body()).isInstanceOf(RoomEvent.MessageSent.class));
    }

    @Test
    void openDirectCreatesThePairsRoomOnceAndFindsItForEitherUser() {
        String room = DirectRooms.idOf("alice", "bob");
        assertThat(room).isEqualTo(DirectRooms.idOf("bob", "alice")).startsWith("dm:");
        Out created = pipe(command("alice", "c-a", room, new RoomCommand.OpenDirect("bob")));
        assertThat(created.events()).extracting(e -> e.value().body()).containsExactly(
                new RoomEvent.RoomCreated(null, null, "direct", null), new RoomEvent.MemberAdded("bob", "member"));
        Delivery.Reply reply = onlyReply(created);
        assertThat(reply.data().path("members").toString()).isEqualTo("[\"alice\",\"bob\"]");
        assertThat(reply.data().path("type").asText()).isEqualTo("direct");

        Out found = pipe(command("bob", "c-b", room, new RoomCommand.OpenDirect("alice")));
        assertThat(found.events()).isEmpty();
        Delivery.Reply again = onlyReply(found);
        assertThat(again.data().path("roomId").asText()).isEqualTo(room);
        assertThat(again.data().path("ownerId").asText()).isEqualTo("alice");
        assertThat(again.data().path("members").toString()).isEqualTo("[\"alice\",\"bob\"]");
        assertThat(again.data().path("seq").asLong()).isEqualTo(2);

        // Only the pair's own id, never someone else's room; nobody else gets in.
        assertThat(onlyReply(pipe(command("mallory", "c-m", room, new RoomCommand.OpenDirect("bob")))).error().code())
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(onlyReply(pipe(command("mallory", "c-m", room, new RoomCommand.Join()))).error().code())
                .isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(onlyReply(pipe(command("alice", "c-a", room, new RoomCommand.AddMember("mallory")))).error().code())
                .isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(head(room)).isEqualTo(2);
    }

    @Test
    void aRoomWithIdleExpiryIsDeletedAfterItsIdleTimeAndEachMessageMovesIt() {
        driver.advanceWallClockTime(java.time.Duration.ofMillis(clock - T0)); // wall clock = command clock
        pipe(command("alice", "c-a", "tmp", new RoomCommand.CreateRoom(null, null, "public", null, null, 60_000L)));
        pipe(command("alice", "c-a", "tmp", new RoomCommand.Join()));
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(50));
        clock += 50_000;
        Out sent = pipe(command("alice", "c-a", "tmp", new RoomCommand.Send(null, "still here", null)));
        assertThat(sent.events()).hasSize(1);
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(50)); // 100 s after create, 50 s after the message
        assertThat(events.readRecordsToList()).isEmpty();
        assertThat(store().get(RoomKeys.room("tmp")) instanceof RoomEntry.Room r && r.isDeleted()).isFalse();

        driver.advanceWallClockTime(java.time.Duration.ofSeconds(11));
        List<TestRecord<String, RoomEvent>> expired = events.readRecordsToList();
        assertThat(expired).extracting(e -> e.value().body()).containsExactly(new RoomEvent.RoomDeleted("idle"));
        assertThat(expired.getFirst().value().userId()).isEqualTo("alice");
        assertThat(deliveries.readRecordsToList()).extracting(d -> d.value().body())
                .anySatisfy(body -> assertThat(((Delivery.ToRoom) body).event()).isEqualTo("room-deleted"));
        assertThat(onlyReply(pipe(command("alice", "c-a", "tmp", new RoomCommand.Send(null, "hi", null)))).error().code())
                .isEqualTo(ErrorCode.INVALID_ROOM);
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(5));
        assertThat(events.readRecordsToList()).isEmpty(); // deleted once

        // A client cannot pass a delete for an idle one.
        pipe(command("alice", "c-a", "tmp2", new RoomCommand.CreateRoom(null, null, "public", null, null)));
        Out forged = pipe(command("alice", "c-a", "tmp2", new RoomCommand.DeleteRoom("idle")));
        assertThat(onlyReply(forged).error().code()).isEqualTo(ErrorCode.INVALID_MESSAGE);
    }

    @Test
    void lifecycleDecisionsSeenAgainReEmitTheSameEventsAndChangeNothingMore() {
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob"))));
        RoomCommand update = command("alice", "c-a", "team", new RoomCommand.UpdateRoom("N", "d", null));
        RoomCommand mute = command("alice", "c-a", "team", new RoomCommand.MuteMember("bob"));
        RoomCommand delete = command("alice", "c-a", "team", new RoomCommand.DeleteRoom(null));
        List<RoomEvent> first = new ArrayList<>();
        for (RoomCommand c : List.of(update, mute, delete)) {
            pipe(c).events().forEach(e -> first.add(e.value()));
        }
        List<RoomEvent> again = new ArrayList<>();
        for (RoomCommand c : List.of(update, mute, delete)) {
            pipe(c).events().forEach(e -> again.add(e.value()));
        }
        assertThat(again).isEqualTo(first).hasSize(3);
        assertThat(head("team")).isEqualTo(5);
    }

    private static List<Delivery.ToRoom> toRoom(Out out, String event) {
        return out.deliveries().stream().map(TestRecord::value).map(Delivery::body)
                .filter(b -> b instanceof Delivery.ToRoom t && t.event().equals(event)).map(b -> (Delivery.ToRoom) b).toList();
    }
}
