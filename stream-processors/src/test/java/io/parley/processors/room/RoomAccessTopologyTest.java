/*
 * RoomAccessTopologyTest owns the checks of rooms as objects in the room stage, on the real topology
 * in a TopologyTestDriver: create-room (events, owner, initial members, refusals), who may join a
 * public / private / direct room, add-member by the owner only, refusals that change nothing, a
 * replayed create-room re-emitting the same events, and rooms made by a plain join staying open.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RoomAccessTopologyTest extends RoomStageTest {

    @Test
    void createRoomMakesTheCreatorOwnerAndTheNamedUsersMembersEachAnEvent() {
        Out out = pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom("Team", "us", "private", 10,
                List.of("bob", "alice", "carol", "bob"))));
        assertThat(out.events()).extracting(e -> e.value().seq()).containsExactly(1L, 2L, 3L);
        assertThat(out.events().get(0).value().body()).isEqualTo(new RoomEvent.RoomCreated("Team", "us", "private", 10));
        assertThat(out.events().get(0).value().userId()).isEqualTo("alice");
        assertThat(out.events().subList(1, 3)).extracting(e -> e.value().body()).containsExactly(
                new RoomEvent.MemberAdded("bob", "member"), new RoomEvent.MemberAdded("carol", "member"));
        Delivery.Reply reply = onlyReply(out);
        assertThat(reply.ok()).isTrue();
        assertThat(reply.data().path("ownerId").asText()).isEqualTo("alice");
        assertThat(reply.data().path("type").asText()).isEqualTo("private");
        assertThat(reply.data().path("seq").asLong()).isEqualTo(3);
        assertThat(reply.data().path("members").toString()).isEqualTo("[\"alice\",\"bob\",\"carol\"]");
        assertThat(store().get(RoomKeys.member("team", "alice"))).isEqualTo(new RoomEntry.Member("owner"));
        assertThat(store().get(RoomKeys.member("team", "carol"))).isEqualTo(new RoomEntry.Member("member"));

        // The room exists now: a second create is refused and changes nothing.
        Out again = pipe(command("bob", "c-b", "team", new RoomCommand.CreateRoom(null, null, "public", null, null)));
        assertThat(again.events()).isEmpty();
        assertThat(onlyReply(again).error().code()).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(store().get(RoomKeys.room("team"))).isEqualTo(new RoomEntry.Room("Team", "us", "private", "alice", 10, 3));
    }

    @Test
    void aPrivateRoomIsJoinedByItsMembersOnlyAndTheOwnerAddsMembers() {
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob"))));
        assertThat(onlyReply(pipe(command("bob", "c-b", "team", new RoomCommand.Join()))).ok()).isTrue();
        assertThat(onlyReply(pipe(command("alice", "c-a", "team", new RoomCommand.Join())))).isNotNull();

        // mallory knows the id: refused, nothing changes, nobody hears of it.
        long seq = head("team");
        Out refused = pipe(command("mallory", "c-m", "team", new RoomCommand.Join()));
        assertThat(refused.events()).isEmpty();
        assertThat(refused.deliveries()).hasSize(1);
        assertThat(onlyReply(refused).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(head("team")).isEqualTo(seq);
        assertThat(store().get(RoomKeys.connections("team", "mallory"))).isNull();

        // bob is a member, not an admin: he cannot add her either.
        Out notAdmin = pipe(command("bob", "c-b", "team", new RoomCommand.AddMember("mallory")));
        assertThat(notAdmin.events()).isEmpty();
        assertThat(onlyReply(notAdmin).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(store().get(RoomKeys.member("team", "mallory"))).isNull();

        // The owner adds her: an event, member-added to the room's nodes, then she may join.
        Out added = pipe(command("alice", "c-a", "team", new RoomCommand.AddMember("mallory")));
        assertThat(added.events()).singleElement().satisfies(e -> {
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberAdded("mallory", "member"));
            assertThat(e.value().seq()).isEqualTo(seq + 1);
        });
        assertThat(added.deliveries()).anySatisfy(d -> assertThat(d.value().body()).isInstanceOfSatisfying(Delivery.ToRoom.class,
                toRoom -> assertThat(toRoom.event()).isEqualTo("member-added")));
        assertThat(onlyReply(pipe(command("mallory", "c-m", "team", new RoomCommand.Join()))).ok()).isTrue();

        // Adding her again: an ack, no event.
        Out twice = pipe(command("alice", "c-a", "team", new RoomCommand.AddMember("mallory")));
        assertThat(twice.events()).isEmpty();
        assertThat(onlyReply(twice).ok()).isTrue();
    }

    @Test
    void onlyTheOwnerSetsRolesAndAnAdminManagesMembers() {
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob", "carol"))));
        // carol is a member: she cannot make herself (or bob) an admin.
        Out refused = pipe(command("carol", "c-c", "team", new RoomCommand.SetRole("carol", "admin")));
        assertThat(refused.events()).isEmpty();
        assertThat(onlyReply(refused).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(store().get(RoomKeys.member("team", "carol"))).isEqualTo(new RoomEntry.Member("member"));
        assertThat(onlyReply(pipe(command("alice", "c-a", "team", new RoomCommand.SetRole("alice", "member")))).error().code())
                .isEqualTo(ErrorCode.INVALID_MESSAGE);

        Out set = pipe(command("alice", "c-a", "team", new RoomCommand.SetRole("bob", "admin")));
        assertThat(set.events()).singleElement().satisfies(e -> assertThat(e.value().body()).isEqualTo(new RoomEvent.RoleSet("bob", "admin")));
        assertThat(onlyReply(pipe(command("alice", "c-a", "team", new RoomCommand.SetRole("bob", "admin")))).ok()).isTrue();
        // bob, an admin now, adds dave; but he cannot set roles.
        assertThat(pipe(command("bob", "c-b", "team", new RoomCommand.AddMember("dave"))).events()).singleElement()
                .satisfies(e -> assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberAdded("dave", "member")));
        assertThat(onlyReply(pipe(command("bob", "c-b", "team", new RoomCommand.SetRole("carol", "admin")))).error().code())
                .isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        // Back to member: he can no longer add anyone.
        pipe(command("alice", "c-a", "team", new RoomCommand.SetRole("bob", "member")));
        assertThat(onlyReply(pipe(command("bob", "c-b", "team", new RoomCommand.AddMember("erin")))).error().code())
                .isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
    }

    @Test
    void aDirectRoomHasExactlyItsTwoUsers() {
        Out bad = pipe(command("alice", "c-a", "dm", new RoomCommand.CreateRoom(null, null, "direct", null, List.of("bob", "carol"))));
        assertThat(bad.events()).isEmpty();
        assertThat(onlyReply(bad).error().code()).isEqualTo(ErrorCode.INVALID_MESSAGE);
        pipe(command("alice", "c-a", "dm", new RoomCommand.CreateRoom(null, null, "direct", null, List.of("bob"))));
        assertThat(onlyReply(pipe(command("bob", "c-b", "dm", new RoomCommand.Join()))).ok()).isTrue();
        assertThat(onlyReply(pipe(command("carol", "c-c", "dm", new RoomCommand.Join()))).error().code())
                .isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        // Nobody is an admin of a direct room but its creator; bob cannot add carol.
        assertThat(onlyReply(pipe(command("bob", "c-b", "dm", new RoomCommand.AddMember("carol")))).error().code())
                .isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
    }

    @Test
    void publicAndJoinMadeRoomsAreOpenAndJoinMadeRoomsHaveNoMembersToManage() {
        pipe(command("alice", "c-a", "open", new RoomCommand.CreateRoom("Open", null, "public", null, null)));
        assertThat(onlyReply(pipe(command("mallory", "c-m", "open", new RoomCommand.Join()))).ok()).isTrue();

        // A room nobody created: the first join makes it, as always (seq 1: member-joined).
        Out joined = pipe(command("bob", "c-b", "lobby", new RoomCommand.Join()));
        assertThat(joined.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(1);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberJoined());
        });
        assertThat(onlyReply(pipe(command("carol", "c-c", "lobby", new RoomCommand.Join()))).ok()).isTrue();
        Out add = pipe(command("bob", "c-b", "lobby", new RoomCommand.AddMember("dave")));
        assertThat(add.events()).isEmpty();
        assertThat(onlyReply(add).error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        // ... and it cannot be taken over by a create-room afterwards.
        Out create = pipe(command("mallory", "c-m", "lobby", new RoomCommand.CreateRoom(null, null, "private", null, null)));
        assertThat(create.events()).isEmpty();
        assertThat(onlyReply(create).error().code()).isEqualTo(ErrorCode.INVALID_ROOM);
    }

    @Test
    void theMemberAfterMaxUsersGetsRoomFullAndALeaveFreesAPlace() {
        pipe(command("alice", "c-a", "small", new RoomCommand.CreateRoom(null, null, "public", 2, null)));
        assertThat(onlyReply(pipe(command("bob", "c-b", "small", new RoomCommand.Join()))).ok()).isTrue();
        // bob's second device is not a new member.
        assertThat(onlyReply(pipe(command("bob", "c-b2", "small", new RoomCommand.Join()))).ok()).isTrue();
        long seq = head("small");
        Out full = pipe(command("carol", "c-c", "small", new RoomCommand.Join()));
        assertThat(full.events()).isEmpty();
        assertThat(onlyReply(full).error().code()).isEqualTo(ErrorCode.ROOM_FULL);
        assertThat(head("small")).isEqualTo(seq);
        assertThat(store().get(RoomKeys.member("small", "carol"))).isNull();
        Out addFull = pipe(command("alice", "c-a", "small", new RoomCommand.AddMember("carol")));
        assertThat(onlyReply(addFull).error().code()).isEqualTo(ErrorCode.ROOM_FULL);

        // A disconnect keeps bob's place; his leave-room (last device) frees it.
        pipe(command("bob", "c-b2", "small", new RoomCommand.Leave("disconnect")));
        assertThat(store().get(RoomKeys.member("small", "bob"))).isNotNull();
        pipe(command("bob", "c-b", "small", new RoomCommand.Leave("client")));
        assertThat(store().get(RoomKeys.member("small", "bob"))).isNull();
        assertThat(((RoomEntry.Room) store().get(RoomKeys.room("small"))).members()).isEqualTo(1);
        assertThat(onlyReply(pipe(command("carol", "c-c", "small", new RoomCommand.Join()))).ok()).isTrue();
    }

    @Test
    void leavingAPrivateRoomEndsTheMembershipButNotTheOwners() {
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob"))));
        pipe(command("bob", "c-b", "team", new RoomCommand.Join()));
        pipe(command("bob", "c-b", "team", new RoomCommand.Leave("client")));
        assertThat(onlyReply(pipe(command("bob", "c-b", "team", new RoomCommand.Join()))).error().code())
                .isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        pipe(command("alice", "c-a", "team", new RoomCommand.Join()));
        pipe(command("alice", "c-a", "team", new RoomCommand.Leave("client")));
        assertThat(onlyReply(pipe(command("alice", "c-a", "team", new RoomCommand.Join()))).ok()).isTrue();
    }

    @Test
    void invalidCreateRoomsAreRefusedWithoutAnEvent() {
        for (RoomCommand.CreateRoom bad : List.of(
                new RoomCommand.CreateRoom(null, null, "secret", null, null),
                new RoomCommand.CreateRoom(null, null, null, null, null),
                new RoomCommand.CreateRoom("x".repeat(200), null, "public", null, null),
                new RoomCommand.CreateRoom(null, null, "public", 0, null),
                new RoomCommand.CreateRoom(null, null, "public", null, java.util.Arrays.asList("bob", " ")))) {
            Out out = pipe(command("alice", "c-a", "r", bad));
            assertThat(out.events()).as("%s", bad).isEmpty();
            assertThat(onlyReply(out).error().code()).as("%s", bad).isEqualTo(ErrorCode.INVALID_MESSAGE);
        }
        Out full = pipe(command("alice", "c-a", "r", new RoomCommand.CreateRoom(null, null, "private", 2, List.of("bob", "carol"))));
        assertThat(full.events()).isEmpty();
        assertThat(onlyReply(full).error().code()).isEqualTo(ErrorCode.ROOM_FULL);
        assertThat(head("r")).isZero();
    }

    @Test
    void aCreateRoomSeenAgainReEmitsTheSameEvents() {
        RoomCommand create = command("alice", "c-a", "team", new RoomCommand.CreateRoom("T", null, "private", null, List.of("bob")));
        Out first = pipe(create);
        Out again = pipe(create);
        assertThat(again.events()).extracting(TestRecord::value).isEqualTo(first.events().stream().map(TestRecord::value).toList());
        assertThat(head("team")).isEqualTo(2);
    }
}
