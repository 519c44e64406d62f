/*
 * CommandService owns turning a connection's life and its validated commands into Kafka records,
 * for every protocol: connect/disconnect -> user-events; join/leave/send/typing/create-room/
 * add-member/set-role/update-room/delete-room/mute/unmute/open-direct -> room-commands; each send
 * also counts as a message attempt, which goes to user-events for the rate limiter aggregated per
 * user and window (AttemptAggregator). update-presence -> a PresenceSet on user-events (ok once
 * published); get-online-users is answered here from the Redis presence view (asynchronously,
 * never blocking the socket's reader). It admits every command first (draining, backpressure,
 * room limit, the rate limit: the processors' decisions and this node's own bucket per user,
 * RateLimitTable) and answers UNAVAILABLE when a publish fails. The answer to an accepted command
 * comes back from the processors via deliveries. Right after a connection opens it gets seed
 * 004's online-users (a bare array of user ids) from the presence view (OnlineUsersWelcome: one
 * read and one encoded event per batch of connections opening together).
 * Handed on: resume starts (join-room with lastSeq, resume, Socket.IO recovery) to ResumeStarts,
 * mark-read to MarkReadRouting; every record (event id assigned once, here at the edge, the
 * token's display fields) is built by CommandRecords.
 */
package io.parley.edge.command;

import io.parley.contracts.DirectRooms;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.guard.AttemptAggregator;
import io.parley.edge.guard.PipelineLag;
import io.parley.edge.delivery.MessageRooms;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.publish.CommandPublisher;
import io.parley.edge.recovery.Resumer;
import io.parley.edge.recovery.RoomRecovery;
import io.parley.edge.session.ClientConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.LongSupplier;

/** Thread-safe; never blocks (publishing is asynchronous). */
public final class CommandService {
    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);
    public static final String UNAVAILABLE_MESSAGE = "the request could not be accepted now; try again";
    /** When a refused publish (Kafka unreachable, hand-off queue full) may be tried again: every refusal says when. */
    static final long PUBLISH_RETRY_AFTER_MS = 1_000;
    public static final String OVERLOADED_MESSAGE = "the server is overloaded; retry after retryAfterMs";

    private final CommandRecords records;
    private final RateLimitTable rateLimits;
    private final LongSupplier clock;
    private final PipelineLag lag;
    /** join-room with lastSeq, resume and Socket.IO session recovery. */
    private final ResumeStarts resumes;
    /** Where each mark-read goes. */
    private final MarkReadRouting markReads;
    private volatile boolean draining;
    /** PARLEY_MAX_ROOMS_PER_USER (0: no limit), see {@link #limitRoomsPerUser}. */
    private volatile int maxRoomsPerUser;
    private volatile PresenceReader presence = PresenceReader.NONE;
    /** Message attempts to user-events: one record per send until {@link #aggregateAttempts} sets a window. */
    private volatile AttemptAggregator attempts;
    /** online-users for new connections: one read and one encoded event per batch of them. */
    private final OnlineUsersWelcome welcome = new OnlineUsersWelcome(() -> presence);

    public CommandService(String nodeId, int slot, CommandPublisher publisher, RateLimitTable rateLimits,
                          LongSupplier clock) {
        this(nodeId, slot, publisher, rateLimits, clock, new PipelineLag(0));
    }

    /** {@code lag}: the backpressure signal (commands that expect an answer are tracked in it). */
    public CommandService(String nodeId, int slot, CommandPublisher publisher, RateLimitTable rateLimits,
                          LongSupplier clock, PipelineLag lag) {
        this(nodeId, slot, publisher, rateLimits, clock, lag, new MessageRooms(MessageRooms.DEFAULT_MAX_ENTRIES));
    }

    /** @param messageRooms the rooms of messages delivered on this node (the DeliveryHandler fills it) */
    public CommandService(String nodeId, int slot, CommandPublisher publisher, RateLimitTable rateLimits,
                          LongSupplier clock, MessageRooms messageRooms) {
        this(nodeId, slot, publisher, rateLimits, clock, new PipelineLag(0), messageRooms);
    }

    /**
     * @param lag          the backpressure signal (commands that expect an answer are tracked in it)
     * @param messageRooms the rooms of messages delivered on this node (the DeliveryHandler fills it)
     */
    public CommandService(String nodeId, int slot, CommandPublisher publisher, RateLimitTable rateLimits,
                          LongSupplier clock, PipelineLag lag, MessageRooms messageRooms) {
        this.records = new CommandRecords(nodeId, slot, publisher, clock);
        this.rateLimits = rateLimits;
        this.clock = clock;
        this.lag = lag;
        this.resumes = new ResumeStarts(records, lag);
        this.markReads = new MarkReadRouting(records, messageRooms);
        this.attempts = new AttemptAggregator(0, 1, records::publishAttempt);
    }

    /** Where get-online-users reads from (the Redis presence view); without one it answers UNAVAILABLE. */
    public void usePresenceReader(PresenceReader reader) {
        this.presence = reader;
    }

    /** Who recovers resumed rooms (join-room with lastSeq, resume); without one they end truncated at once. */
    public void useResumer(Resumer resumer) {
        resumes.useResumer(resumer);
    }

    /**
     * From now on a user's message attempts go to user-events as at most one record per
     * {@code windowMs} (PARLEY_EDGE_ATTEMPT_WINDOW_MS; 0: one per send); the node's timer calls
     * {@link #flushAttempts}. Set before the node serves.
     */
    public void aggregateAttempts(long windowMs) {
        this.attempts = new AttemptAggregator(windowMs, AttemptAggregator.DEFAULT_MAX_USERS, records::publishAttempt);
    }

    /** Sends the attempts of the windows that ended by {@code nowMs} (the node's timer). */
    public void flushAttempts(long nowMs) {
        attempts.flushDue(nowMs);
    }

    /** The presence read view in use (the admin API's room view reads it too). */
    public PresenceReader presenceReader() {
        return presence;
    }

    /**
     * Refuse join-room / create-room / open-direct of a new room with ROOM_LIMIT when the connection already
     * belongs to {@code max} rooms: those it joined and those it was subscribed to as its user's
     * (a member's connection is subscribed to all the user's rooms shortly after it opens, so the
     * count is the user's, eventually exact; 0: no limit).
     */
    public void limitRoomsPerUser(int max) {
        this.maxRoomsPerUser = max;
    }

    /** From now on, refuse commands with UNAVAILABLE (the node is shutting down). */
    public void drain() {
        draining = true;
    }

    /** A connection was authenticated and opened. */
    public void connected(ClientConnection connection) {
        records.publishUser(connection, new UserEvent.Connected(CommandRecords.displayName(connection)), CommandPublisher.Outcome.IGNORE);
    }

    /**
     * Sends a just-opened connection seed 004's {@code online-users}: the ids of the users online
     * now, from the presence view, the user included (nothing when the view cannot be read); the
     * users of connections greeted in the same batch are included too (they are online). Called
     * by each protocol once its own "connected" answer is queued.
     */
    public void welcome(ClientConnection connection) {
        welcome.welcome(connection);
    }

    /**
     * A connection is gone: leave every room it had joined (or was joining), then say it
     * disconnected. Called once per connection.
     */
    public void disconnected(ClientConnection connection, String reason) {
        for (RoomRecovery pending : connection.subscriptions().takeAllPendingResumes()) {
            pending.abandon(); // its join's answer will find no connection: give its permit back now
        }
        for (String roomId : connection.subscriptions().requestedRooms()) {
            connection.subscriptions().released(roomId);
            records.publishRoom(connection, roomId, null, new RoomCommand.Leave("disconnect"), CommandPublisher.Outcome.IGNORE);
        }
        attempts.flush(connection.userId()); // the user's pending attempts before the disconnect
        records.publishUser(connection, new UserEvent.Disconnected(reason), CommandPublisher.Outcome.IGNORE);
        lag.forget(connection.connectionId());
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
        // A resume is joins too: judged by the joins' bound (its joins are answered one by one).
        boolean joining = command instanceof Command.JoinRoom || command instanceof Command.Resume;
        if (joining || command instanceof Command.SendMessage
                || command instanceof Command.MarkRead || command instanceof Command.StartTyping
                || command instanceof Command.CreateRoom || command instanceof Command.AddMember
                || command instanceof Command.SetRole || isRoomAdmin(command)) {
            // Backpressure: the pipeline lags past the bound; a leave is never refused (it sheds work).
            // Joins have their own, larger bound: a join burst on a cold stack is admitted, answered late.
            long retryAfter = joining ? lag.refuseJoin() : lag.refuse();
            if (retryAfter > 0) {
                meter.count(EdgeMetrics.Outcome.UNAVAILABLE);
                connection.reply(ServerReply.error(ref, new ErrorBody(ErrorCode.UNAVAILABLE, OVERLOADED_MESSAGE, retryAfter)));
                return;
            }
        }
        // Commands the processors answer exactly once on the deliveries path (typing only when it has a ref).
        boolean answered = command instanceof Command.JoinRoom || command instanceof Command.LeaveRoom
                || command instanceof Command.SendMessage || command instanceof Command.MarkRead
                || command instanceof Command.CreateRoom || command instanceof Command.AddMember
                || command instanceof Command.SetRole || command instanceof Command.RemoveMember || isRoomAdmin(command)
                || (ref != null && (command instanceof Command.StartTyping || command instanceof Command.StopTyping));
        boolean message = command instanceof Command.SendMessage;
        CommandPublisher.Outcome answerFailure = failure -> {
            meter.count(failure == null ? EdgeMetrics.Outcome.ACCEPTED : EdgeMetrics.Outcome.UNAVAILABLE);
            if (failure == null && message) {
                EdgeMetrics.current().messageIn();
            }
            if (failure != null) {
                if (answered) {
                    lag.answered(connection.connectionId()); // never reaches the processors: no answer will come
                }
                LOG.debug("publish failed for connection {}: {}", connection.connectionId(), failure.toString());
                connection.reply(ServerReply.error(ref, new ErrorBody(ErrorCode.UNAVAILABLE, UNAVAILABLE_MESSAGE,
                        PUBLISH_RETRY_AFTER_MS)));
            }
        };
        String limitedRoom = command instanceof Command.JoinRoom join ? join.roomId()
                : command instanceof Command.CreateRoom create ? create.roomId()
                : command instanceof Command.OpenDirect open ? DirectRooms.idOf(connection.userId(), open.userId()) : null;
        if (limitedRoom != null && maxRoomsPerUser > 0 && !connection.subscriptions().isRequested(limitedRoom)
                && connection.subscriptions().requestedRooms().size() >= maxRoomsPerUser) {
            // The user's rooms as this connection knows them: those it joined and those it was subscribed to as a member.
            connection.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.ROOM_LIMIT,
                    "you are a member of " + maxRoomsPerUser + " rooms, the most a user may be; leave one first")));
            return;
        }
        if (command instanceof Command.JoinRoom) {
            lag.publishedJoin(connection.connectionId(), clock.getAsLong());
        } else if (answered) {
            lag.published(connection.connectionId(), clock.getAsLong());
        }
        switch (command) {
            case Command.JoinRoom join when join.lastSeq() != null ->
                    resumes.resume(connection, ref, Map.of(join.roomId(), join.lastSeq()), false, meter);
            case Command.Resume resume -> resumes.resume(connection, ref, resume.rooms(), true, meter);
            case Command.JoinRoom join -> {
                connection.subscriptions().requested(join.roomId());
                records.publishRoom(connection, join.roomId(), ref, new RoomCommand.Join(), answerFailure);
            }
            case Command.LeaveRoom leave -> {
                connection.subscriptions().released(leave.roomId());
                records.publishRoom(connection, leave.roomId(), ref, new RoomCommand.Leave("client"), answerFailure);
            }
            case Command.SendMessage send -> {
                long now = clock.getAsLong();
                long retryAfter = rateLimits.admit(connection.userId(), now);
                if (retryAfter > 0) {
                    meter.count(EdgeMetrics.Outcome.RATE_LIMITED);
                    lag.answered(connection.connectionId()); // refused here: not published
                    connection.reply(ServerReply.error(ref, new ErrorBody(ErrorCode.RATE_LIMIT_EXCEEDED,
                            "too many messages; retry later", retryAfter)));
                    return;
                }
                records.publishRoom(connection, send.roomId(), ref,
                        new RoomCommand.Send(send.clientMsgId(), send.content(), send.messageType(), send.replyTo()), answerFailure);
                attempts.attempt(connection.userId(), connection.connectionId(), send.roomId(), now);
            }
            case Command.StartTyping start -> records.publishRoom(connection, start.roomId(), ref, new RoomCommand.TypingStart(), answerFailure);
            case Command.MarkRead read -> markReads.markRead(connection, ref, read, answerFailure);
            case Command.CreateRoom create -> records.publishRoom(connection, create.roomId(), ref, new RoomCommand.CreateRoom(
                    create.name(), create.description(), create.type(), create.maxUsers(), create.members(),
                    create.expireAfterIdleMs()), answerFailure);
            case Command.UpdateRoom update -> records.publishRoom(connection, update.roomId(), ref,
                    new RoomCommand.UpdateRoom(update.name(), update.description(), update.maxUsers()), answerFailure);
            case Command.DeleteRoom delete -> records.publishRoom(connection, delete.roomId(), ref, new RoomCommand.DeleteRoom(null), answerFailure);
            case Command.MuteMember mute -> records.publishRoom(connection, mute.roomId(), ref, mute.mute()
                    ? new RoomCommand.MuteMember(mute.userId()) : new RoomCommand.UnmuteMember(mute.userId()), answerFailure);
            case Command.OpenDirect open -> records.publishRoom(connection, DirectRooms.idOf(connection.userId(), open.userId()), ref,
                    new RoomCommand.OpenDirect(open.userId()), answerFailure);
            case Command.AddMember add -> records.publishRoom(connection, add.roomId(), ref, new RoomCommand.AddMember(add.userId()), answerFailure);
            case Command.RemoveMember remove -> records.publishRoom(connection, remove.roomId(), ref,
                    new RoomCommand.RemoveMember(remove.userId()), answerFailure);
            case Command.SetRole set -> records.publishRoom(connection, set.roomId(), ref, new RoomCommand.SetRole(set.userId(), set.role()),
                    answerFailure);
            case Command.StopTyping stop -> records.publishRoom(connection, stop.roomId(), ref, new RoomCommand.TypingStop(), answerFailure);
            case Command.UpdatePresence update -> records.publishUser(connection,
                    new UserEvent.PresenceSet(update.status(), update.customStatus()), failure -> {
                        if (failure != null) {
                            answerFailure.completed(failure);
                        } else {
                            meter.count(EdgeMetrics.Outcome.ACCEPTED);
                            connection.reply(ServerReply.ok(ref, null));
                        }
                    });
            case Command.GetOnlineUsers get when !connection.subscriptions().isIndexed(get.roomId()) ->
                    // members only: the room processor accepted this connection's join (see docs/architecture.md)
                    connection.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.AUTHORIZATION_FAILED, "join the room first")));
            case Command.GetOnlineUsers get -> presence.onlineUsers(get.roomId()).whenComplete((users, failure) -> {
                meter.count(failure != null || users == null ? EdgeMetrics.Outcome.UNAVAILABLE : EdgeMetrics.Outcome.ACCEPTED);
                if (failure != null || users == null) {
                    LOG.debug("online users of {} not read: {}", get.roomId(), String.valueOf(failure));
                    connection.reply(ServerReply.error(ref, new ErrorBody(ErrorCode.UNAVAILABLE, UNAVAILABLE_MESSAGE,
                        PUBLISH_RETRY_AFTER_MS)));
                } else {
                    connection.reply(ServerReply.ok(ref, Json.tree(users)));
                }
            });
            case Command.Ping ping -> connection.reply(ServerReply.ok(ref, null));
            // The endpoints hand auth / refresh to the TokenLifecycle before they get here.
            case Command.Authenticate auth -> connection.reply(ServerReply.error(ref,
                    ErrorBody.of(ErrorCode.INTERNAL_ERROR, "authentication is not handled here")));
        }
    }

    /**
     * Socket.IO connection-state recovery: joins {@code rooms} again for {@code connection}, each
     * with its last seq, as a resume that answers nobody (the CONNECT reply already said
     * recovered). False, with nothing published, when the node has no recovery permits left for
     * them (the caller then connects a fresh session) or is draining.
     */
    public boolean recoverSession(ClientConnection connection, Map<String, Long> rooms) {
        if (draining || rooms.isEmpty()) {
            return !draining;
        }
        return resumes.recoverSession(connection, rooms);
    }

    /**
     * The leave-room (reason disconnect) of a connection this node no longer has, for a room the
     * processors subscribed it to after it closed (so they do not keep it).
     */
    public void leaveGone(String userId, String connectionId, String roomId) {
        records.publishGoneLeave(userId, connectionId, roomId);
    }

    /** The room-lifecycle commands (update, delete, mute / unmute, open-direct): published, answered by the processors. */
    private static boolean isRoomAdmin(Command command) {
        return command instanceof Command.UpdateRoom || command instanceof Command.DeleteRoom
                || command instanceof Command.MuteMember || command instanceof Command.OpenDirect;
    }
}
