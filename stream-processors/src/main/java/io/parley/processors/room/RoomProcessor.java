/*
 * RoomProcessor owns the dispatch of the per-room stage and its crash safety: each input goes to
 * the stage of its concern (MembershipStage: rooms, members, roles, routing, presence fan-out;
 * MessageStage: seq, messages, clientMsgId; ReadStage: read positions; TypingStage: typing;
 * NodeExpiryStage: an expired edge node's connections; RoomLifecycle: update-room, delete-room,
 * mute / unmute, open-direct, idle expiry and what a deleted room still accepts), all over the one
 * room-state store (RoomState). Each command's decision is remembered by event id before any state changes, so a
 * command seen again re-emits its original outputs; decisions expire after the retention.
 */
package io.parley.processors.room;

import io.parley.contracts.EventIds;
import io.parley.contracts.Limits;
import io.parley.contracts.event.RoomCommand;
import io.parley.processors.lease.NodeExpired;
import io.parley.processors.presence.PresenceFanout;
import io.parley.processors.CrashPoints;
import io.parley.processors.Stores;
import io.parley.processors.room.RoomEntry.ClientMsg;
import io.parley.processors.room.RoomEntry.Done;
import io.parley.processors.room.RoomEntry.Write;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The room processor (input: room-commands, key room id; presence diffs and node expiries from the
 * internal topics). Outputs {@link UserEvent} membership changes (key user id),  {@link io.parley.contracts.event.RoomEvent}s
 * (key room id) and {@link Delivery}s (key edge node id); the topology routes them to their topics.
 *
 * <p><b>Crash safety.</b> Every piece of room state lives in one store, written without a cache,
 * so its changelog partition receives the writes in the order they are made, and after a crash
 * the restored store holds a prefix of them. For a command the order is: (1) its decision, with
 * the absolute state writes it implies, under the command's key; (2) those writes, the room's
 * head (seq, op count) last; (3) the output records. Seen again:
 * <ul>
 *   <li>no decision stored: nothing of it was applied; it is decided again from the same state,
 *       which gives the same seq and ids (outputs are a pure function of command and decision),
 *       so outputs that escaped before the crash are re-emitted identically, never invented;</li>
 *   <li>decision stored and the head's op count below the decision's: the crash fell between (1)
 *       and the end of (2), and nothing later of this room was applied: its writes are applied
 *       (again); then its outputs are re-emitted;</li>
 *   <li>decision stored and the head at or past it: its outputs are re-emitted, state untouched.</li>
 * </ul>
 * Rejections that depend only on the command (invalid room id, invalid message) are not stored:
 * deciding them again gives the same answer. Decisions are kept {@link Stores#DECISION_RETENTION}.
 * A decision is looked for under its key of before decisions were filed by event id time only
 * while the store may hold such keys ({@link #initFiling}); the mark that says so is written
 * before this run's first decision, so a restored store that holds one of them holds the mark.
 */
final class RoomProcessor implements Processor<String, Object, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(RoomProcessor.class);

    private final RoomCommandChecks checks;
    private final long typingTimeoutMs;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, RoomEntry> store;
    private RoomState state;
    private MembershipStage membership;
    private MessageStage messages;
    private ReadStage reads;
    private TypingStage typing;
    private NodeExpiryStage nodeExpiry;
    private RoomLifecycle lifecycle;
    /** Until when (wall clock) decisions may still be filed the old way ({@link #initFiling}); 0: never. */
    private long legacyUntil;
    /** Whether {@link #legacyUntil} was decided (at the first command). */
    private boolean filingKnown;

    RoomProcessor(int maxMessageLength, long typingTimeoutMs) {
        this.checks = new RoomCommandChecks(maxMessageLength);
        this.typingTimeoutMs = typingTimeoutMs;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.store = context.getStateStore(Stores.ROOM_STATE);
        this.state = new RoomState(context, store);
        this.lifecycle = new RoomLifecycle(store);
        this.membership = new MembershipStage(state);
        this.messages = new MessageStage(state, lifecycle);
        this.reads = new ReadStage(state);
        this.typing = new TypingStage(state, typingTimeoutMs);
        this.nodeExpiry = new NodeExpiryStage(state, this::handle);
        this.context = context;
        context.schedule(Stores.DECISION_EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::expireDecisions);
        context.schedule(Stores.TYPING_EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, typing::expire);
        context.schedule(Stores.ROOM_IDLE_EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::expireIdleRooms);
    }

    @Override
    public void process(Record<String, Object> record) {
        switch (record.value()) {
            case RoomCommand command -> handle(record, command);
            case PresenceFanout fanout when fanout.subscribe() != null -> subscribe(record, fanout);
            case PresenceFanout fanout -> membership.presence(record, fanout);
            case NodeExpired expired -> nodeExpiry.expire(record, expired);
            case null, default -> { }
        }
    }

    private void handle(Record<String, Object> record, RoomCommand command) {
        handle(record, command, null);
    }

    /** {@code crashPoint}: a test hook ({@link CrashPoints}) between the decision's writes and its outputs. */
    private void handle(Record<String, Object> record, RoomCommand command, String crashPoint) {
        Decision decision = checks.rejectionOf(command);
        if (decision == null && (command.body() instanceof RoomCommand.TypingStart
                || command.body() instanceof RoomCommand.TypingStop)) {
            decision = lifecycle.refusalIfDeleted(command); // a deleted room has no typing either
            if (decision == null) {
                typing.typing(record, command);
                return;
            }
        }
        if (decision == null) {
            decision = decideOnce(command);
            CrashPoints.reach(crashPoint);
        }
        state.emit(record, command, decision);
        // A message, or the typing connection leaving (or the user's last one), ends typing at once.
        switch (decision.kind()) {
            case SENT -> typing.stop(record, command.roomId(), command.userId(), null);
            case LEFT -> typing.stop(record, command.roomId(), command.userId(), null);
            case LEAVE_ACK -> typing.stop(record, command.roomId(), command.userId(), command.connectionId());
            case MEMBER_REMOVED -> typing.stop(record, command.roomId(), ((RoomCommand.RemoveMember) command.body()).memberId(), null);
            default -> { }
        }
    }

    /**
     * The presence stage asks to subscribe a member's connection (it opened, another device of
     * the user joined the room, or another user added them: then with what it missed since the add,
     * which its Subscribe carries): decided like a command (a synthetic join, its id derived from the
     * user event's), planned by {@link MembershipStage#subscribe}: only a member's connection is.
     */
    private void subscribe(Record<String, Object> record, PresenceFanout fanout) {
        PresenceFanout.Subscription s = fanout.subscribe();
        if (fanout.roomId() == null || !Limits.isValidRoomId(fanout.roomId()) || !Limits.isValidMessageId(s.eventId()) || s.userId() == null
                || s.connectionId() == null || s.edgeNodeId() == null) {
            return;
        }
        RoomCommand join = new RoomCommand(EventIds.derived(s.eventId(), fanout.roomId() + "|" + s.connectionId()),
                fanout.roomId(), s.userId(), s.edgeNodeId(), s.edgeSlot(), s.connectionId(), null, s.timestamp(),
                new RoomCommand.Join());
        // A deleted room subscribes nobody (its members keep their u| entries, marked room and all).
        Decision decision = decideOnce(join, command -> lifecycle.isDeleted(command.roomId())
                ? Plan.noWrites(Decision.of(Decision.Kind.IGNORED, 0, List.of())) : membership.subscribe(command));
        state.emit(record, join, decision, s.missedAfter(), s.addedBy());
    }

    /** The command's decision: the remembered one (finishing its writes if a crash cut them), or a new one. */
    private Decision decideOnce(RoomCommand command) {
        return decideOnce(command, this::plan);
    }

    private Plan plan(RoomCommand command) {
        RoomEntry.Head head = state.head(command.roomId());
        Plan deleted = lifecycle.planIfDeleted(command, head);
        if (deleted != null) {
            return deleted; // a deleted room refuses everything but a connection's leave
        }
        return switch (command.body()) {
            case RoomCommand.Join join -> membership.join(command, head);
            case RoomCommand.Leave leave -> membership.leave(command);
            case RoomCommand.CreateRoom create -> membership.create(command);
            case RoomCommand.AddMember add -> membership.add(command);
            case RoomCommand.SetRole set -> membership.setRole(command);
            case RoomCommand.RemoveMember remove -> membership.remove(command);
            case RoomCommand.Send send -> messages.send(command, send, head);
            case RoomCommand.MarkRead read -> reads.markRead(command, read);
            case RoomCommand.UpdateRoom update -> lifecycle.update(command, head, state.nodes(command.roomId()));
            case RoomCommand.DeleteRoom delete -> lifecycle.delete(command, head, state.nodes(command.roomId()));
            case RoomCommand.MuteMember mute -> lifecycle.mute(command, head, state.nodes(command.roomId()));
            case RoomCommand.UnmuteMember unmute -> lifecycle.mute(command, head, state.nodes(command.roomId()));
            case RoomCommand.OpenDirect open -> lifecycle.openDirect(command, head);
            case RoomCommand.TypingStart start -> throw new IllegalStateException("typing is not decided"); // see handle
            case RoomCommand.TypingStop stop -> throw new IllegalStateException("typing is not decided");
        };
    }

    private Decision decideOnce(RoomCommand command, java.util.function.Function<RoomCommand, Plan> planner) {
        if (!filingKnown) {
            initFiling(context.currentSystemTimeMs());
        }
        String doneKey = RoomKeys.done(command);
        RoomEntry stored = store.get(doneKey);
        if (stored == null && legacyUntil > 0 && !RoomKeys.legacyDone(command).equals(doneKey)) {
            stored = store.get(RoomKeys.legacyDone(command)); // decided before decisions were filed by id time
        }
        if (stored instanceof Done done) {
            if (done.ops() > state.head(command.roomId()).ops()) {
                done.writes().forEach(state::write);
            }
            return done.decision();
        }
        Plan plan = planner.apply(command);
        store.put(doneKey, new Done(plan.decision(), plan.ops(), plan.writes(), plan.clientMsgKey()));
        plan.writes().forEach(state::write);
        return plan.decision();
    }

    /** A decision and the state writes it implies, the room's head last; {@code ops}: the head's op count after them. */
    record Plan(Decision decision, long ops, List<Write> writes, String clientMsgKey) {
        static Plan noWrites(Decision decision) {
            return new Plan(decision, 0, List.of(), null);
        }
    }

    /**
     * Decides, once (at the first command after init, from the store as restored), whether a
     * decision not found under its key is looked for under its key of before decisions were filed
     * by event id time (a second get per new command): by the store's {@link RoomEntry.Filing}
     * mark; without one (a store of before the mark, or a new store) a store that holds decisions
     * may hold such keys until they expire with the retention, so the mark written says until
     * then; a store without decisions never needs the second get (0).
     */
    private void initFiling(long now) {
        filingKnown = true;
        if (store.get(RoomKeys.FILING) instanceof RoomEntry.Filing mark) {
            legacyUntil = mark.legacyUntil() > now ? mark.legacyUntil() : 0;
            return;
        }
        boolean anyDecision;
        try (KeyValueIterator<String, RoomEntry> it = store.range(RoomKeys.DONE_PREFIX, RoomKeys.doneUpperBound(Long.MAX_VALUE))) {
            anyDecision = it.hasNext();
        }
        legacyUntil = anyDecision ? now + Stores.DECISION_RETENTION.plus(Stores.DECISION_EXPIRY_INTERVAL).toMillis() : 0;
        store.put(RoomKeys.FILING, new RoomEntry.Filing(legacyUntil)); // before any decision of this run
    }

    /** Drops decisions older than the retention, with the clientMsgId acks and message index entries they wrote. */
    private void expireDecisions(long now) {
        if (legacyUntil > 0 && now >= legacyUntil) {
            legacyUntil = 0; // every decision filed the old way is past the retention, dropped below
        }
        List<KeyValue<String, RoomEntry>> expired = new ArrayList<>();
        try (KeyValueIterator<String, RoomEntry> it = store.range(RoomKeys.DONE_PREFIX,
                RoomKeys.doneUpperBound(now - Stores.DECISION_RETENTION.toMillis()))) {
            it.forEachRemaining(expired::add);
        }
        for (KeyValue<String, RoomEntry> entry : expired) {
            store.delete(entry.key);
            if (entry.value instanceof Done done && done.clientMsgKey() != null
                    && store.get(done.clientMsgKey()) instanceof ClientMsg ack
                    && ack.messageId().equals(RoomKeys.eventIdOfDone(entry.key))) {
                store.delete(done.clientMsgKey());
            }
            if (entry.value instanceof Done done) {
                for (Write write : done.writes()) {
                    if (write.key().startsWith(RoomKeys.MESSAGE_PREFIX)) {
                        store.delete(write.key()); // an index entry of before lives as long as its message's decision
                    }
                }
            }
        }
        if (!expired.isEmpty()) {
            log.debug("{}: dropped {} decisions", Stores.ROOM_DECISION_EXPIRY_PUNCTUATOR, expired.size());
        }
    }

    /** Deletes the rooms whose idle timer is due (RoomLifecycle): each a synthesised delete-room decided like any command. */
    private void expireIdleRooms(long now) {
        for (RoomCommand delete : lifecycle.dueExpiries(now)) {
            Decision decision = decideOnce(delete);
            state.emit(new Record<>(delete.roomId(), delete, now), delete, decision);
            if (decision.kind() == Decision.Kind.ROOM_DELETED) {
                log.info("room {} deleted: idle since {}", delete.roomId(), java.time.Instant.ofEpochMilli(delete.timestamp()));
            }
        }
    }
}
