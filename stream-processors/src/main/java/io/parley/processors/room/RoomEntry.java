/*
 * RoomEntry owns the shapes of the values in the room-state store: a room's head (seq, op
 * count and which lookups its commands need), its routing table (edge node -> slot and connection count), a (room, user)'s
 * connections, a typist's typing state, a clientMsgId's original ack, a message id's seq, a
 * created room's settings (deleted mark, idle expiry) and one member's role and muted flag (every
 * room's members), the mute a member who left keeps for their return, a room's idle timer, a
 * command's decision with the state writes it made, and the store's filing mark (whether
 * decisions may still sit under their keys of before).
 * Every value is small and bounded: nothing holds a whole room's members.
 */
package io.parley.processors.room;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;

/** A value of the room-state store; the key (see {@link RoomKeys}) says which kind. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RoomEntry.Head.class, name = "head"),
        @JsonSubTypes.Type(value = RoomEntry.Nodes.class, name = "nodes"),
        @JsonSubTypes.Type(value = RoomEntry.Connections.class, name = "conns"),
        @JsonSubTypes.Type(value = RoomEntry.ClientMsg.class, name = "cmsg"),
        @JsonSubTypes.Type(value = RoomEntry.Done.class, name = "done"),
        @JsonSubTypes.Type(value = RoomEntry.NodeConn.class, name = "nconn"),
        @JsonSubTypes.Type(value = RoomEntry.Typing.class, name = "typing"),
        @JsonSubTypes.Type(value = RoomEntry.ReadPos.class, name = "read"),
        @JsonSubTypes.Type(value = RoomEntry.MsgSeq.class, name = "mseq"),
        @JsonSubTypes.Type(value = RoomEntry.Room.class, name = "room"),
        @JsonSubTypes.Type(value = RoomEntry.Member.class, name = "member"),
        @JsonSubTypes.Type(value = RoomEntry.LeftMuted.class, name = "left-muted"),
        @JsonSubTypes.Type(value = RoomEntry.IdleTimer.class, name = "idle"),
        @JsonSubTypes.Type(value = RoomEntry.Expiry.class, name = "expiry"),
        @JsonSubTypes.Type(value = RoomEntry.Filing.class, name = "filing")})
public sealed interface RoomEntry {

    /** The store's serde: compact for the values a send reads and writes, JSON for the rest and for values of before. */
    static org.apache.kafka.common.serialization.Serde<RoomEntry> serde() {
        return new RoomEntryCodec();
    }

    /**
     * A room's head: {@code seq} of its last event, and {@code ops}, the count of state-changing
     * commands applied (the version a replay compares with, see {@link RoomProcessor}); {@code flags}:
     * which lookups the room's commands need ({@link #MUTED}, {@link #IDLE}, {@link #DELETED}: set by
     * the decision that makes them possible, in its head write, never cleared), so a send in a room
     * without them skips them; null in heads written before flags: every lookup is made.
     */
    record Head(long seq, long ops, Integer flags) implements RoomEntry {
        /** A member was muted once: a send looks up the sender's muted flag. */
        static final int MUTED = 1;
        /** The room was created with idle expiry: a message moves its timer. */
        static final int IDLE = 2;
        /** The room was deleted: commands look up its settings. */
        static final int DELETED = 4;
        static final Head EMPTY = new Head(0, 0, 0);

        /** A head without flags (tests compare stored heads with it). */
        Head(long seq, long ops) {
            this(seq, ops, 0);
        }

        /** The head after one more state-changing command that took {@code seqs} seqs; flags kept. */
        Head next(long seqs) {
            return new Head(seq + seqs, ops + 1, flags);
        }

        /** This head with {@code flag} set (a head of before flags stays without: it has them all). */
        Head with(int flag) {
            return flags == null ? this : new Head(seq, ops, flags | flag);
        }

        /** Whether the room may have {@code flag}'s entries: always for a head of before flags. */
        boolean may(int flag) {
            return flags == null || (flags & flag) != 0;
        }
    }

    /** The routing table of a room: edge node id -> its deliveries slot and how many of its sockets are in the room. */
    record Nodes(Map<String, NodeRef> nodes) implements RoomEntry {}

    record NodeRef(int slot, int connections) {}

    /** One user's connections in one room: connection id -> the edge node holding it. */
    record Connections(Map<String, ConnRef> connections) implements RoomEntry {}

    record ConnRef(String edgeNodeId, int slot) {}

    /** The original ack of a message sent with a clientMsgId; {@code createdAt}: its timestamp (0 in entries of before). */
    record ClientMsg(String messageId, long seq, long createdAt) implements RoomEntry {}

    /**
     * A message id's seq in its room, so mark-read by message ids resolves to a read position. No
     * longer written (the send's decision is the index: RoomKeys.doneOfMessage); entries of before
     * are read until they are dropped with their decisions ({@link io.parley.processors.Stores#DECISION_RETENTION}).
     */
    record MsgSeq(long seq) implements RoomEntry {}

    /**
     * A command's decision and the state writes it made (absolute values, in order; a null value
     * deletes the key). {@code ops} is the room's op count after those writes (0: no writes);
     * {@code clientMsgKey} is the key of the ClientMsg it wrote, if any, dropped with it on expiry.
     */
    record Done(Decision decision, long ops, List<Write> writes, String clientMsgKey) implements RoomEntry {}

    record Write(String key, RoomEntry value) {}

    /** Index entry: a connection of an edge node in a room (the key says which); for expiring the node. */
    record NodeConn(int slot) implements RoomEntry {}

    /** A (room, user)'s read position: the highest seq the user marked read (only ever raised). */
    record ReadPos(long seq) implements RoomEntry {}

    /**
     * A user typing in a room: which connection started it and when it lapses (processors' wall
     * clock, epoch ms). Ephemeral: not part of any decision; lost state only means a missed stop.
     */
    record Typing(String roomId, String userId, String connectionId, long expiresAt) implements RoomEntry {}

    /**
     * A room made by create-room: {@code roomType} public, private or direct; its owner; its
     * limit (null: none) and how many members it has now. A room without one (made by a join) is public.
     */
    record Room(String name, String description, String roomType, String ownerId, Integer maxUsers, int members,
                Long expireAfterIdleMs, Boolean deleted)
            implements RoomEntry {
        Room(String name, String description, String roomType, String ownerId, Integer maxUsers, int members) {
            this(name, description, roomType, ownerId, maxUsers, members, null, null);
        }

        boolean isFull() {
            return maxUsers != null && members >= maxUsers;
        }

        boolean isDeleted() {
            return Boolean.TRUE.equals(deleted);
        }

        Room withMembers(int count) {
            return new Room(name, description, roomType, ownerId, maxUsers, count, expireAfterIdleMs, deleted);
        }

        Room withSettings(String newName, String newDescription, Integer newMaxUsers) {
            return new Room(newName == null ? name : newName, newDescription == null ? description : newDescription,
                    roomType, ownerId, newMaxUsers == null ? maxUsers : newMaxUsers, members, expireAfterIdleMs, deleted);
        }

        Room asDeleted() {
            return new Room(name, description, roomType, ownerId, maxUsers, members, expireAfterIdleMs, Boolean.TRUE);
        }
    }

    /**
     * A member of a room: role owner, admin or member (a room made by a join: member);
     * {@code muted} (null: not): their messages are refused. From the user's first accepted join
     * (or create-room / add-member / open-direct) until leave-room or remove-member, not tied to
     * connections; a removed member's muted flag goes with the entry; a muted member's leave-room
     * keeps it as {@link LeftMuted}.
     */
    record Member(String role, Boolean muted) implements RoomEntry {
        Member(String role) {
            this(role, null);
        }

        boolean isMuted() {
            return Boolean.TRUE.equals(muted);
        }
    }

    /**
     * {@code l|<roomId>|<userId>}: the user ended their membership by leave-room while muted (at the
     * room's seq {@code leftSeq}, the member-left event's); their next membership (join-room of a
     * public room, add-member) starts muted and drops this. Only unmute-member (owner or admin)
     * drops it otherwise; remove-member never meets it (the user is no member).
     */
    record LeftMuted(long leftSeq) implements RoomEntry {}

    /**
     * {@code e|<roomId>}: a room with idle expiry is deleted at {@code dueAt} (epoch ms: its last
     * message's edge timestamp + expireAfterIdleMs) unless a message moves it; {@code lastEventId}:
     * that message's (or the create's) event id, the base of the expiry's derived event id.
     */
    record IdleTimer(long dueAt, String lastEventId) implements RoomEntry {}

    /**
     * A node expiry's decision (see {@link NodeExpiryLeaves}): the node's connection index keys
     * ({@code x|}) it found, in order; each becomes a synthetic leave. Kept under a decision key,
     * so it lasts as long as decisions.
     */
    record Expiry(List<String> nodeConnKeys) implements RoomEntry {}

    /**
     * {@code v|decisions}: until when (processors' wall clock, epoch ms) a decision not found under
     * its key is looked for under the key of before decisions were filed by event id time
     * ({@link RoomKeys#legacyDone}); 0: never (the store had no decisions when this was written).
     */
    record Filing(long legacyUntil) implements RoomEntry {}
}
