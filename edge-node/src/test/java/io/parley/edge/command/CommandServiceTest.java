/*
 * CommandServiceTest owns the proof of what each socket event publishes (topics' keys, event id
 * assigned once at the edge, edge slot, client ref, user id from the connection only), of
 * rate-limit enforcement without publishing (the processors' decisions and this node's own
 * bucket), of message attempts aggregated per user and window, of UNAVAILABLE when a publish
 * fails, and of the leaves a disconnect publishes.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.session.FakeConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommandServiceTest extends CommandFixture {

    @Test
    void sendPublishesARoomCommandAndAMessageAttempt() {
        service.handle(alice, "7", new Command.SendMessage("r1", "hello", "text", "c-1", null));

        assertThat(publisher.roomCommands).hasSize(1);
        RoomCommand command = publisher.roomCommands.get(0);
        assertThat(command.roomId()).isEqualTo("r1");
        assertThat(command.userId()).isEqualTo("alice");
        assertThat(command.edgeNodeId()).isEqualTo("edge-7");
        assertThat(command.edgeSlot()).isEqualTo(7);
        assertThat(command.connectionId()).isEqualTo("conn-1");
        assertThat(command.ref()).isEqualTo("7");
        assertThat(command.timestamp()).isEqualTo(NOW);
        assertThat(EventIds.timestampOf(command.eventId())).isPositive();
        assertThat(command.body()).isEqualTo(new RoomCommand.Send("c-1", "hello", null));

        assertThat(publisher.userEvents).hasSize(1);
        UserEvent attempt = publisher.userEvents.get(0);
        assertThat(attempt.userId()).isEqualTo("alice");
        assertThat(attempt.body()).isEqualTo(new UserEvent.MessageAttempt("r1"));
        assertThat(attempt.eventId()).isNotEqualTo(command.eventId());
        assertThat(alice.replies).isEmpty(); // the ack comes from the processors
    }

    @Test
    void aJoinOrCreateOfOneRoomMoreThanTheLimitIsRefusedWithRoomLimitAndNothingIsPublished() {
        service.limitRoomsPerUser(2);
        service.handle(alice, "1", new Command.JoinRoom("r1"));
        alice.subscriptions().requested("r2"); // a room the processors subscribed this connection to as a member's
        service.handle(alice, "2", new Command.JoinRoom("r3"));
        service.handle(alice, "3", new Command.CreateRoom("r4", null, null, "public", null, java.util.List.of()));
        service.handle(alice, "3b", new Command.OpenDirect("dave")); // a direct room is one more room too
        assertThat(alice.replies).extracting(r -> r.error().code())
                .containsExactly(ErrorCode.ROOM_LIMIT, ErrorCode.ROOM_LIMIT, ErrorCode.ROOM_LIMIT);
        assertThat(alice.subscriptions().requestedRooms()).containsExactlyInAnyOrder("r1", "r2");
        // A room it is in already is not one more; after a leave there is room for another.
        service.handle(alice, "4", new Command.JoinRoom("r1"));
        service.handle(alice, "5", new Command.LeaveRoom("r2"));
        service.handle(alice, "6", new Command.JoinRoom("r3"));
        assertThat(alice.replies).hasSize(3);
        assertThat(publisher.roomCommands).extracting(c -> c.roomId() + ":" + c.body().getClass().getSimpleName())
                .containsExactly("r1:Join", "r1:Join", "r2:Leave", "r3:Join");
    }

    @Test
    void openDirectCountsItsRoomAgainstTheLimitUnlessTheConnectionIsInItAlready() {
        service.limitRoomsPerUser(1);
        service.handle(alice, "1", new Command.OpenDirect("dave"));
        String dm = io.parley.contracts.DirectRooms.idOf(alice.userId(), "dave");
        alice.subscriptions().requested(dm); // the processors subscribed the caller to the direct room
        service.handle(alice, "2", new Command.OpenDirect("dave")); // the same room again: not one more
        service.handle(alice, "3", new Command.OpenDirect("erin"));
        assertThat(alice.replies).extracting(r -> r.error().code()).containsExactly(ErrorCode.ROOM_LIMIT);
        assertThat(publisher.roomCommands).extracting(RoomCommand::roomId).containsExactly(dm, dm);
    }

    @Test
    void theLeaveOfAConnectionGoneBeforeItsSubscriptionIsPublishedAsADisconnect() {
        service.leaveGone("carol", "c-gone", "r1");
        assertThat(publisher.roomCommands).singleElement().satisfies(c -> {
            assertThat(c.userId()).isEqualTo("carol");
            assertThat(c.connectionId()).isEqualTo("c-gone");
            assertThat(c.edgeNodeId()).isEqualTo("edge-7");
            assertThat(c.body()).isEqualTo(new RoomCommand.Leave("disconnect"));
        });
    }

    @Test
    void removeMemberIsPublishedForTheProcessorsToDecide() {
        service.handle(alice, "1", new Command.RemoveMember("r1", "bob"));
        assertThat(publisher.roomCommands).extracting(RoomCommand::body).containsExactly(new RoomCommand.RemoveMember("bob"));
    }

    @Test
    void joinAndLeavePublishAndTrackTheRoom() {
        service.handle(alice, "1", new Command.JoinRoom("r1"));
        assertThat(alice.subscriptions().isRequested("r1")).isTrue();
        service.handle(alice, "2", new Command.LeaveRoom("r1"));
        assertThat(alice.subscriptions().isRequested("r1")).isFalse();
        assertThat(publisher.roomCommands).extracting(RoomCommand::body)
                .containsExactly(new RoomCommand.Join(), new RoomCommand.Leave("client"));
    }

    @Test
    void typingPublishesRoomCommandsWithoutAMessageAttempt() {
        service.handle(alice, "3", new Command.StartTyping("r1"));
        service.handle(alice, "4", new Command.StopTyping("r1"));
        assertThat(publisher.roomCommands).extracting(RoomCommand::body)
                .containsExactly(new RoomCommand.TypingStart(), new RoomCommand.TypingStop());
        assertThat(publisher.roomCommands).extracting(RoomCommand::roomId).containsOnly("r1");
        assertThat(publisher.userEvents).isEmpty(); // typing is not rate-limited as messages
        assertThat(alice.replies).isEmpty(); // the processors answer (members only)
    }

    @Test
    void aBlockedUserIsRefusedLocallyWithRetryAfterAndNothingIsPublished() {
        rateLimits.decide("alice", NOW + 900);
        service.handle(alice, "9", new Command.SendMessage("r1", "spam", "text", null, null));

        assertThat(publisher.roomCommands).isEmpty();
        assertThat(publisher.userEvents).isEmpty();
        assertThat(alice.replies).hasSize(1);
        assertThat(alice.replies.get(0).ref()).isEqualTo("9");
        assertThat(alice.replies.get(0).error().code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED);
        assertThat(alice.replies.get(0).error().retryAfterMs()).isEqualTo(900L);

        // Other users and other commands are not affected.
        FakeConnection bob = new FakeConnection("conn-2", "bob");
        service.handle(bob, "1", new Command.SendMessage("r1", "hi", "text", null, null));
        service.handle(alice, "10", new Command.JoinRoom("r2"));
        assertThat(publisher.roomCommands).hasSize(2);
    }

    @Test
    void sendsOfAUserGoToUserEventsAsOneRecordPerWindowAndADisconnectFlushesThem() {
        long[] now = {NOW};
        CommandService windowed = new CommandService("edge-7", 7, publisher, rateLimits, () -> now[0], messageRooms);
        windowed.aggregateAttempts(2_000);
        FakeConnection phone = new FakeConnection("conn-2", "alice");
        windowed.handle(alice, "1", new Command.SendMessage("r1", "a", "text", null, null));
        assertThat(publisher.userEvents).singleElement().extracting(UserEvent::body)
                .isEqualTo(new UserEvent.MessageAttempt("r1", 1)); // the first at once
        now[0] = NOW + 500;
        windowed.handle(alice, "2", new Command.SendMessage("r1", "b", "text", null, null));
        now[0] = NOW + 900;
        windowed.handle(phone, "3", new Command.SendMessage("r2", "c", "text", null, null));
        windowed.flushAttempts(NOW + 1_999);
        assertThat(publisher.roomCommands).hasSize(3); // every send is published
        assertThat(publisher.userEvents).hasSize(1);

        windowed.flushAttempts(NOW + 2_000);
        assertThat(publisher.userEvents).hasSize(2);
        UserEvent aggregate = publisher.userEvents.get(1);
        assertThat(aggregate.body()).isEqualTo(new UserEvent.MessageAttempt("r2", 2));
        assertThat(aggregate.connectionId()).isEqualTo("conn-2");
        assertThat(aggregate.timestamp()).isEqualTo(NOW + 900);
        assertThat(aggregate.edgeNodeId()).isEqualTo("edge-7");
        assertThat(aggregate.edgeSlot()).isEqualTo(7);

        // Counted in the next window, then flushed by a closing connection, before its disconnect.
        now[0] = NOW + 2_100;
        windowed.handle(alice, "4", new Command.SendMessage("r1", "d", "text", null, null));
        windowed.disconnected(alice, "client closed");
        assertThat(publisher.userEvents).extracting(UserEvent::body).containsExactly(new UserEvent.MessageAttempt("r1", 1),
                new UserEvent.MessageAttempt("r2", 2), new UserEvent.MessageAttempt("r1", 1),
                new UserEvent.Disconnected("client closed"));
    }

    @Test
    void theNodesOwnBucketRefusesAUserAtOnceWithRetryAfterAndNothingIsPublished() {
        long[] now = {NOW};
        RateLimitTable withBucket = new RateLimitTable(new io.parley.edge.guard.LocalRateLimit(2, 60));
        CommandService limited = new CommandService("edge-7", 7, publisher, withBucket, () -> now[0], messageRooms);
        limited.handle(alice, "1", new Command.SendMessage("r1", "a", "text", null, null));
        limited.handle(alice, "2", new Command.SendMessage("r1", "b", "text", null, null));
        now[0] = NOW + 400;
        limited.handle(alice, "3", new Command.SendMessage("r1", "c", "text", null, null));

        assertThat(publisher.roomCommands).hasSize(2);
        assertThat(publisher.userEvents).hasSize(2);
        assertThat(alice.replies).singleElement().satisfies(reply -> {
            assertThat(reply.ref()).isEqualTo("3");
            assertThat(reply.error().code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED);
            assertThat(reply.error().retryAfterMs()).isEqualTo(600L); // the first token is back a second after it was taken
        });
        now[0] = NOW + 1_000;
        limited.handle(alice, "4", new Command.SendMessage("r1", "d", "text", null, null));
        assertThat(publisher.roomCommands).hasSize(3);
    }

    @Test
    void aFailedPublishAnswersUnavailable() {
        publisher.failWith(new org.apache.kafka.common.errors.TimeoutException("broker down"));
        service.handle(alice, "5", new Command.SendMessage("r1", "hello", "text", null, null));
        assertThat(alice.replies).hasSize(1);
        assertThat(alice.replies.get(0).ref()).isEqualTo("5");
        assertThat(alice.replies.get(0).error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(alice.replies.get(0).error().message()).doesNotContain("broker");
        assertThat(alice.replies.get(0).error().retryAfterMs()).as("a refusal says when to retry").isPositive();
    }

    @Test
    void pingIsAnsweredLocally() {
        service.handle(alice, "p", new Command.Ping());
        assertThat(alice.replies).hasSize(1);
        assertThat(alice.replies.get(0).ok()).isTrue();
        assertThat(publisher.roomCommands).isEmpty();
        assertThat(publisher.userEvents).isEmpty();
    }

    @Test
    void connectAndDisconnectPublishUserEventsAndLeaves() {
        service.connected(alice);
        service.handle(alice, "1", new Command.JoinRoom("r1"));
        service.handle(alice, "2", new Command.JoinRoom("r2"));
        service.handle(alice, "3", new Command.LeaveRoom("r2"));
        publisher.roomCommands.clear();
        service.disconnected(alice, "client closed");

        assertThat(publisher.roomCommands).hasSize(1);
        assertThat(publisher.roomCommands.get(0).roomId()).isEqualTo("r1");
        assertThat(publisher.roomCommands.get(0).body()).isEqualTo(new RoomCommand.Leave("disconnect"));
        assertThat(publisher.userEvents).extracting(UserEvent::body)
                .containsExactly(new UserEvent.Connected(), new UserEvent.Disconnected("client closed"));
    }

    @Test
    void drainingRefusesCommands() {
        service.drain();
        service.handle(alice, "1", new Command.JoinRoom("r1"));
        assertThat(publisher.roomCommands).isEmpty();
        assertThat(alice.replies.get(0).error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void updatePresencePublishesAPresenceSetAndRepliesOkOncePublished() {
        service.handle(alice, "9", new Command.UpdatePresence("dnd", "focus"));
        assertThat(publisher.userEvents).singleElement().satisfies(e -> {
            assertThat(e.userId()).isEqualTo("alice");
            assertThat(e.body()).isEqualTo(new UserEvent.PresenceSet("dnd", "focus"));
        });
        assertThat(alice.replies).singleElement().satisfies(r -> assertThat(r.ok()).isTrue());
        assertThat(publisher.roomCommands).isEmpty();
    }

    @Test
    void getOnlineUsersIsForMembersOnly() {
        service.usePresenceReader(room -> java.util.concurrent.CompletableFuture.completedFuture(
                new io.parley.contracts.wire.Protocol.OnlineUsers(room, java.util.List.of(
                        new io.parley.contracts.wire.Protocol.OnlineUser("bob", "busy", null, 5L)))));
        service.handle(alice, "1", new Command.GetOnlineUsers("r1")); // never joined
        alice.subscriptions().requested("r1");
        service.handle(alice, "2", new Command.GetOnlineUsers("r1")); // joining, not accepted yet
        assertThat(alice.replies).hasSize(2).allSatisfy(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
            assertThat(r.data()).isNull();
        });
        alice.subscriptions().markIndexed("r1"); // the processor accepted the join
        service.handle(alice, "3", new Command.GetOnlineUsers("r1"));
        assertThat(alice.replies).hasSize(3).last().satisfies(r -> assertThat(r.ok()).isTrue());
        alice.subscriptions().markUnindexed("r1"); // left
        service.handle(alice, "4", new Command.GetOnlineUsers("r1"));
        assertThat(alice.replies).hasSize(4).last().satisfies(r ->
                assertThat(r.error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED));
    }

    @Test
    void getOnlineUsersIsAnsweredFromTheReaderAndUnavailableWithoutOne() {
        alice.subscriptions().markIndexed("r1");
        service.handle(alice, "1", new Command.GetOnlineUsers("r1"));
        assertThat(alice.replies).singleElement().satisfies(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
        });
        service.usePresenceReader(room -> java.util.concurrent.CompletableFuture.completedFuture(
                new io.parley.contracts.wire.Protocol.OnlineUsers(room, java.util.List.of(
                        new io.parley.contracts.wire.Protocol.OnlineUser("bob", "busy", null, 5L)))));
        service.handle(alice, "2", new Command.GetOnlineUsers("r1"));
        assertThat(alice.replies).hasSize(2).last().satisfies(r -> {
            assertThat(r.ok()).isTrue();
            assertThat(r.data().path("roomId").asText()).isEqualTo("r1");
            assertThat(r.data().path("users").get(0).path("userId").asText()).isEqualTo("bob");
            assertThat(r.data().path("users").get(0).path("status").asText()).isEqualTo("busy");
        });
        assertThat(publisher.userEvents).isEmpty();
        assertThat(publisher.roomCommands).isEmpty();
    }

    @Test
    void roomCommandsCarryTheTokensDisplayFieldsNeverTheClients() {
        FakeConnection carol = new FakeConnection("conn-3", "carol", "Carol C.", "https://img/carol.png");
        service.connected(carol);
        assertThat(publisher.userEvents.getLast().body()).isEqualTo(new UserEvent.Connected("Carol C."));
        service.handle(carol, "1", new Command.SendMessage("r1", "hi", "image", null, null));
        RoomCommand command = publisher.roomCommands.getFirst();
        assertThat(command.username()).isEqualTo("Carol C.");
        assertThat(command.avatarUrl()).isEqualTo("https://img/carol.png");
        assertThat(command.body()).isEqualTo(new RoomCommand.Send(null, "hi", "image", null));
        // Without display claims nothing extra travels: the processors show the user id.
        service.handle(alice, "2", new Command.JoinRoom("r1"));
        assertThat(publisher.roomCommands.getLast().username()).isNull();
        assertThat(publisher.roomCommands.getLast().avatarUrl()).isNull();
    }

    @Test
    void markReadIsPublishedWithItsRefAndAFailedPublishAnswersUnavailable() {
        service.handle(alice, "1", new Command.MarkRead("r3", 4L, null));
        assertThat(publisher.roomCommands).singleElement().satisfies(c -> {
            assertThat(c.body()).isEqualTo(RoomCommand.MarkRead.upTo(4));
            assertThat(c.ref()).isEqualTo("1");
        });
        publisher.failWith(new IllegalStateException("Kafka is down"));
        service.handle(alice, "2", new Command.MarkRead("r3", 5L, null));
        assertThat(alice.replies).singleElement().satisfies(r -> assertThat(r.error().code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void welcomeSendsSeed004sOnlineUsersAsABareArrayWithTheUserIncluded() {
        service.welcome(alice);
        assertThat(alice.events).isEmpty(); // no view: nothing, not an error
        service.usePresenceReader(new PresenceReader() {
            @Override
            public java.util.concurrent.CompletionStage<io.parley.contracts.wire.Protocol.OnlineUsers> onlineUsers(String roomId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.concurrent.CompletionStage<java.util.List<String>> onlineUserIds() {
                return java.util.concurrent.CompletableFuture.completedFuture(java.util.List.of("bob", "dave"));
            }
        });
        service.welcome(alice);
        assertThat(alice.events).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("online-users");
            assertThat(e.data().toString()).isEqualTo("[\"bob\",\"dave\",\"alice\"]");
        });
    }
}
