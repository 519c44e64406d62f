/*
 * CommandService owns turning a connection's life and its validated commands into Kafka records,
 * for every protocol: connect/disconnect -> user-events; join/leave/send/typing -> room-commands (event id
 * assigned once, here); each send also -> a MessageAttempt on user-events for the rate limiter.
 * update-presence -> a PresenceSet on user-events (ok once published); get-online-users is
 * answered here from the Redis presence view (asynchronously, never blocking the socket's reader).
 * It enforces the processors' rate-limit decisions locally and answers UNAVAILABLE when a publish
 * fails. The answer to an accepted command comes back from the processors via deliveries.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.publish.CommandPublisher;
import io.parley.edge.session.ClientConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/** Thread-safe; never blocks (publishing is asynchronous). */
public final class CommandService {
    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);
    public static final String UNAVAILABLE_MESSAGE = "the request could not be accepted now; try again";

    private final String nodeId;
    private final int slot;
    private final CommandPublisher publisher;
    private final RateLimitTable rateLimits;
    private final LongSupplier clock;
    private volatile boolean draining;
    private volatile PresenceReader presence = PresenceReader.NONE;

    public CommandService(String nodeId, int slot, CommandPublisher publisher, RateLimitTable rateLimits,
                          LongSupplier clock) {
        this.nodeId = nodeId;
        this.slot = slot;
        this.publisher = publisher;
        this.rateLimits = rateLimits;
        this.clock = clock;
    }

    /** Where get-online-users reads from (the Redis presence view); without one it answers UNAVAILABLE. */
    public void usePresenceReader(PresenceReader reader) {
        this.presence = reader;
    }

    /** The presence read view in use (the admin API's room view reads it too). */
    public PresenceReader presenceReader() {
        return presence;
    }

    /** From now on, refuse commands with UNAVAILABLE (the node is shutting down). */
    public void drain() {
        draining = true;
    }

    /** A connection was authenticated and opened. */
    public void connected(ClientConnection connection) {
        publishUser(connection, new UserEvent.Connected(), CommandPublisher.Outcome.IGNORE);
    }

    /**
     * A connection is gone: leave every room it had joined (or was joining), then say it
     * disconnected. Called once per connection.
     */
    public void disconnected(ClientConnection connection, String reason) {
        for (String roomId : connection.subscriptions().requestedRooms()) {
            connection.subscriptions().released(roomId);
            publishRoom(connection, roomId, null, new RoomCommand.Leave("disconnect"), CommandPublisher.Outcome.IGNORE);
        }
        publishUser(connection, new UserEvent.Disconnected(reason), CommandPublisher.Outcome.IGNORE);
    }

    /** Executes one validated command of {@code connection}; {@code ref} is the client's request reference. */
    public void handle(ClientConnection connection, String ref, Command command) {
        EdgeMetrics.CommandMeter meter = EdgeMetrics.current().command(command);
        if (command instanceof Command.Ping) {
            meter.count(EdgeMetrics.Outcome.ACCEPTED);
            connection.reply(ServerReply.ok(ref, null));
            return;
        }
        if (draining) {
            meter.count(EdgeMetrics.Outcome.UNAVAILABLE);
            connection.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.UNAVAILABLE, "the server is shutting down")));
            return;
        }
        boolean message = command instanceof Command.SendMessage;
        CommandPublisher.Outcome answerFailure = failure -> {
            meter.count(failure == null ? EdgeMetrics.Outcome.ACCEPTED : EdgeMetrics.Outcome.UNAVAILABLE);
            if (failure == null && message) {
                EdgeMetrics.current().messageIn();
            }
            if (failure != null) {
                LOG.debug("publish failed for connection {}: {}", connection.connectionId(), failure.toString());
                connection.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.UNAVAILABLE, UNAVAILABLE_MESSAGE)));
            }
        };
        switch (command) {
            case Command.JoinRoom join -> {
                connection.subscriptions().requested(join.roomId());
                publishRoom(connection, join.roomId(), ref, new RoomCommand.Join(), answerFailure);
            }
            case Command.LeaveRoom leave -> {
                connection.subscriptions().released(leave.roomId());
                publishRoom(connection, leave.roomId(), ref, new RoomCommand.Leave("client"), answerFailure);
            }
            case Command.SendMessage send -> {
                long retryAfter = rateLimits.retryAfterMs(connection.userId(), clock.getAsLong());
                if (retryAfter > 0) {
                    meter.count(EdgeMetrics.Outcome.RATE_LIMITED);
                    connection.reply(ServerReply.error(ref, new ErrorBody(ErrorCode.RATE_LIMIT_EXCEEDED,
                            "too many messages; retry later", retryAfter)));
                    return;
                }
                publishRoom(connection, send.roomId(), ref,
                        new RoomCommand.Send(send.clientMsgId(), send.text(), send.replyTo()), answerFailure);
                publishUser(connection, new UserEvent.MessageAttempt(send.roomId()), CommandPublisher.Outcome.IGNORE);
            }
            case Command.StartTyping start -> publishRoom(connection, start.roomId(), ref, new RoomCommand.TypingStart(), answerFailure);
            case Command.MarkRead read -> publishRoom(connection, read.roomId(), ref, new RoomCommand.MarkRead(read.seq()), answerFailure);
            case Command.StopTyping stop -> publishRoom(connection, stop.roomId(), ref, new RoomCommand.TypingStop(), answerFailure);
            case Command.UpdatePresence update -> publishUser(connection,
                    new UserEvent.PresenceSet(update.status(), update.customStatus()), failure -> {
                        if (failure != null) {
                            answerFailure.completed(failure);
                        } else {
                            meter.count(EdgeMetrics.Outcome.ACCEPTED);
                            connection.reply(ServerReply.ok(ref, null));
                        }
                    });
            case Command.GetOnlineUsers get -> presence.onlineUsers(get.roomId()).whenComplete((users, failure) -> {
                meter.count(failure != null || users == null ? EdgeMetrics.Outcome.UNAVAILABLE : EdgeMetrics.Outcome.ACCEPTED);
                if (failure != null || users == null) {
                    LOG.debug("online users of {} not read: {}", get.roomId(), String.valueOf(failure));
                    connection.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.UNAVAILABLE, UNAVAILABLE_MESSAGE)));
                } else {
                    connection.reply(ServerReply.ok(ref, Json.tree(users)));
                }
            });
            case Command.Ping ping -> connection.reply(ServerReply.ok(ref, null));
        }
    }

    private void publishRoom(ClientConnection connection, String roomId, String ref, RoomCommand.Body body,
                             CommandPublisher.Outcome outcome) {
        publisher.publish(new RoomCommand(EventIds.next(), roomId, connection.userId(), nodeId, slot,
                connection.connectionId(), ref, clock.getAsLong(), body), outcome);
    }

    private void publishUser(ClientConnection connection, UserEvent.Body body, CommandPublisher.Outcome outcome) {
        publisher.publish(new UserEvent(EventIds.next(), connection.userId(), nodeId, slot,
                connection.connectionId(), clock.getAsLong(), body), outcome);
    }
}
