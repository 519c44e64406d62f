/*
 * CommandServiceTest owns the proof of what each socket event publishes (topics' keys, event id
 * assigned once at the edge, edge slot, client ref, user id from the connection only), of
 * rate-limit enforcement without publishing, of UNAVAILABLE when a publish fails, and of the
 * leaves a disconnect publishes.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.publish.RecordingPublisher;
import io.parley.edge.session.FakeConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommandServiceTest {
    private static final long NOW = 1_700_000_000_000L;
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final RateLimitTable rateLimits = new RateLimitTable();
    private final CommandService service = new CommandService("edge-7", 7, publisher, rateLimits, () -> NOW);
    private final FakeConnection alice = new FakeConnection("conn-1", "alice");

    @Test
    void sendPublishesARoomCommandAndAMessageAttempt() {
        service.handle(alice, "7", new Command.SendMessage("r1", "hello", "c-1", null));

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
        service.handle(alice, "9", new Command.SendMessage("r1", "spam", null, null));

        assertThat(publisher.roomCommands).isEmpty();
        assertThat(publisher.userEvents).isEmpty();
        assertThat(alice.replies).hasSize(1);
        assertThat(alice.replies.get(0).ref()).isEqualTo("9");
        assertThat(alice.replies.get(0).error().code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED);
        assertThat(alice.replies.get(0).error().retryAfterMs()).isEqualTo(900L);

        // Other users and other commands are not affected.
        FakeConnection bob = new FakeConnection("conn-2", "bob");
        service.handle(bob, "1", new Command.SendMessage("r1", "hi", null, null));
        service.handle(alice, "10", new Command.JoinRoom("r2"));
        assertThat(publisher.roomCommands).hasSize(2);
    }

    @Test
    void aFailedPublishAnswersUnavailable() {
        publisher.failWith(new org.apache.kafka.common.errors.TimeoutException("broker down"));
        service.handle(alice, "5", new Command.SendMessage("r1", "hello", null, null));
        assertThat(alice.replies).hasSize(1);
        assertThat(alice.replies.get(0).ref()).isEqualTo("5");
        assertThat(alice.replies.get(0).error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(alice.replies.get(0).error().message()).doesNotContain("broker");
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
    void getOnlineUsersIsAnsweredFromTheReaderAndUnavailableWithoutOne() {
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
}
