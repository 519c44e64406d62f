/*
 * Decision owns what the room processor decided for one command and how that decision turns
 * into output records (those of rooms as objects: RoomObjectOutputs). The outputs are a pure
 * function of (command, decision), so a command seen again re-emits exactly its original records:
 * same seq, same message id, same order.
 */
package io.parley.processors.room;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The decision for one command.
 *
 * @param kind      what happened
 * @param seq       the seq the reply reports (the event's seq when there is an event)
 * @param messageId the message id of a {@link Kind#RESENT} ack (the original message's)
 * @param targets   the edge nodes a room event is delivered to, sorted by node id
 * @param readSeq    for READ / READ_ACK of a mark-read by message ids: the read position they resolved to
 *                   (null: the command's seq; decisions stored before this field have none)
 * @param messageIds for a mark-read by message ids: the ids the room knew (the others are left out)
 * @param createdAt  for RESENT: when the original message was accepted (epoch ms; null: unknown)
 */
public record Decision(Kind kind, long seq, String messageId, List<Target> targets, ErrorCode error, String message,
                       Long readSeq, List<String> messageIds, Long createdAt) {

    public enum Kind {
        /** The user's first connection joined: event MemberJoined, user-joined to every node, ack. */
        JOINED,
        /** The connection joined (or had already): ack only. */
        JOIN_ACK,
        /**
         * leave-room (reason client): the membership ended, every connection of the user left:
         * event MemberLeft, user-left then Unsubscribe to every node the room had, ack. A disconnect
         * (the user's last connection): event MemberLeft, user-left to the remaining nodes.
         */
        LEFT,
        /** A connection left (or was not there): ack if asked. */
        LEAVE_ACK,
        /** A new message: event MessageSent, new-message to every node, ack. */
        SENT,
        /** A resend of a clientMsgId already accepted: the original ack only. */
        RESENT,
        /** The read position moved forward: event ReadPosition, messages-read to every node, ack. */
        READ,
        /** mark-read at or below the current position: ack with the current position ({@code seq}) only. */
        READ_ACK,
        /**
         * A room was created: events RoomCreated then one MemberAdded per initial member, ack (no
         * deliveries: nobody is subscribed yet), then each initial member's room-joined (reason added).
         */
        CREATED,
        /** A member was added: event MemberAdded, member-added to every node, ack, the member's room-joined (reason added). */
        MEMBER_ADDED,
        /** add-member of a user who already is one: ack only. */
        MEMBER_ACK,
        /** A member's role changed: event RoleSet, role-set to every node, ack. */
        ROLE_SET,
        /** set-role to the role the member has: ack only. */
        ROLE_ACK,
        /**
         * A member's connection subscribed without a join-room (it opened, or another device of the
         * user joined), the user's first in the room: a Subscribe to its node, then what JOINED emits
         * but the reply.
         */
        SUBSCRIBED,
        /** A member's connection subscribed (or was already): a Subscribe to its node only. */
        SUBSCRIBE_ACK,
        /** A subscription for a user who is not a member (any more): nothing. */
        IGNORED,
        /** remove-member: event MemberRemoved, member-removed to every node, then Unsubscribe to every node, ack. */
        MEMBER_REMOVED,
        /** The room's settings changed: event RoomUpdated, room-updated to every node, ack (RoomLifecycle). */
        ROOM_UPDATED,
        /** The room was deleted (owner or idle): event RoomDeleted, room-deleted to every node, ack if asked. */
        ROOM_DELETED,
        /** A member was muted or unmuted: event MemberMuted / MemberUnmuted, member-muted / -unmuted to every node, ack. */
        MEMBER_MUTED,
        /** mute / unmute of a member already so: ack only. */
        MUTE_ACK,
        /**
         * open-direct created the pair's room: the room as the reply ({@code message}: the owner), events
         * RoomCreated, MemberAdded, the other user's room-joined (reason added).
         */
        DIRECT_CREATED,
        /** open-direct found the pair's room: the room as the reply ({@code message}: its owner). */
        DIRECT_FOUND,
        /** Refused: an error reply only. */
        REJECTED
    }

    /** An edge node holding sockets of the room. */
    public record Target(String edgeNodeId, int slot) {}

    static Decision of(Kind kind, long seq, List<Target> targets) {
        return new Decision(kind, seq, null, targets, null, null, null, null, null);
    }

    static Decision rejected(ErrorCode error, String message) {
        return new Decision(Kind.REJECTED, 0, null, List.of(), error, message, null, null, null);
    }

    static Decision resent(String messageId, long seq, long createdAt) {
        return new Decision(Kind.RESENT, seq, messageId, List.of(), null, null, null, null, createdAt == 0 ? null : createdAt);
    }

    /** READ (seq: the event's) or READ_ACK (seq: the current position) of a mark-read by message ids. */
    static Decision read(Kind kind, long seq, List<Target> targets, long readSeq, List<String> messageIds) {
        return new Decision(kind, seq, null, targets, null, null, readSeq, List.copyOf(messageIds), null);
    }

    /**
     * The records to emit, in order: first the reply to the requesting connection (so its edge
     * node learns a subscription before the room's events reach it on the same partition), then
     * the room event (key room id), then one delivery per target node (key edge node id), then for a
     * membership change the user's {@code room-joined} / {@code room-left} (key user id; for a member
     * made by another user, that member's {@code room-joined} with reason added). A new
     * message has no reply of its own: its ack rides in the sender's node's delivery
     * ({@link Delivery.ToRoom#ack}).
     */
    List<Object> outputs(RoomCommand command) {
        return outputs(command, null, null);
    }

    /**
     * {@link #outputs(RoomCommand)}; {@code missedAfter} and {@code addedBy} (a subscription of an
     * added member's connection, else null): the seq of the member-added and who added them; the
     * subscribed connection missed the room's events from it up to this decision's seq (its
     * Subscribe says so: the node gives it the member-added and recovers the rest).
     */
    List<Object> outputs(RoomCommand command, Long missedAfter, String addedBy) {
        List<Object> out = new ArrayList<>(2 + targets.size());
        String roomId = command.roomId();
        switch (kind) {
            case JOINED, SUBSCRIBED -> {
                out.add(kind == Kind.JOINED ? reply(command, new Protocol.RoomAck(roomId, seq)) : subscribe(command, missedAfter, addedBy));
                out.add(event(command, new RoomEvent.MemberJoined()));
                // To the other members only (seed 004: socket.to(room)); the joiner has no other socket in the room yet.
                toRoom(out, command.timestamp(), roomId, Protocol.USER_JOINED, new Protocol.MembershipChange(roomId, user(command), command.userId(), seq),
                        command.userId());
                out.add(membership(command, new UserEvent.RoomJoined(roomId)));
            }
            case JOIN_ACK -> out.add(reply(command, new Protocol.RoomAck(roomId, seq)));
            case SUBSCRIBE_ACK -> out.add(subscribe(command, missedAfter, addedBy));
            case IGNORED -> { }
            case MEMBER_REMOVED -> {
                String memberId = ((RoomCommand.RemoveMember) command.body()).memberId();
                Protocol.MemberRemoved removed = new Protocol.MemberRemoved(roomId, memberId, command.userId(), seq);
                out.add(reply(command, removed));
                out.add(event(command, new RoomEvent.MemberRemoved(memberId)));
                toRoom(out, command.timestamp(), roomId, Protocol.MEMBER_REMOVED, removed);
                unsubscribe(out, roomId, memberId);
                out.add(new UserEvent(command.eventId(), memberId, command.edgeNodeId(), command.edgeSlot(),
                        command.connectionId(), command.timestamp(), new UserEvent.RoomLeft(roomId, "removed")));
            }
            case LEFT -> {
                if (repliesToLeave(command)) {
                    out.add(reply(command, new Protocol.RoomAck(roomId, seq)));
                }
                out.add(event(command, new RoomEvent.MemberLeft(leaveReason(command))));
                toRoom(out, command.timestamp(), roomId, Protocol.USER_LEFT, new Protocol.MembershipChange(roomId, user(command), command.userId(), seq));
                if (repliesToLeave(command)) {
                    unsubscribe(out, roomId, command.userId()); // the membership ended: every device of the user stops
                }
                out.add(membership(command, new UserEvent.RoomLeft(roomId, leaveReason(command))));
            }
            case LEAVE_ACK -> {
                if (repliesToLeave(command)) {
                    out.add(reply(command, new Protocol.RoomAck(roomId, seq)));
                }
            }
            case SENT -> {
                RoomCommand.Send send = (RoomCommand.Send) command.body();
                String messageId = command.eventId();
                Protocol.Message message = message(command, send, messageId, command.timestamp());
                out.add(event(command, new RoomEvent.MessageSent(messageId, send.clientMsgId(), send.content(),
                        messageType(send), send.replyTo(), command.username(), command.avatarUrl())));
                // The ack rides in the sender's node's new-message (same data); a reply of its own only
                // if that node is not among the targets.
                if (!toRoomWithAck(out, roomId, Protocol.NEW_MESSAGE, message, command)) {
                    out.add(0, reply(command, message));
                }
            }
            case RESENT -> {
                RoomCommand.Send send = (RoomCommand.Send) command.body();
                out.add(reply(command, message(command, send, messageId, createdAt == null ? command.timestamp() : createdAt)));
            }
            case READ -> {
                long position = readSeq != null ? readSeq : ((RoomCommand.MarkRead) command.body()).seq();
                out.add(reply(command, readAck(command, position)));
                out.add(event(command, new RoomEvent.ReadPosition(position)));
                toRoom(out, command.timestamp(), roomId, Protocol.MESSAGES_READ, new Protocol.MessagesRead(command.userId(),
                        messageIds == null ? List.of() : messageIds, roomId, position, seq));
            }
            case READ_ACK -> out.add(reply(command, readAck(command, seq)));
            case CREATED, MEMBER_ADDED, MEMBER_ACK, ROLE_SET, ROLE_ACK, ROOM_UPDATED, ROOM_DELETED, MEMBER_MUTED, MUTE_ACK,
                 DIRECT_CREATED, DIRECT_FOUND -> RoomObjectOutputs.add(this, command, out);
            case REJECTED -> {
                if (command.edgeNodeId() != null) {
                    out.add(new Delivery(command.edgeNodeId(), command.edgeSlot(),
                            new Delivery.Reply(command.connectionId(), command.ref(), false, null, ErrorBody.of(error, message),
                                    command.timestamp())));
                }
            }
        }
        return out;
    }

    /** The sender as seed 004 shows it, from the display fields the edge took from the token. */
    static Protocol.User user(RoomCommand command) {
        return Protocol.User.of(command.userId(), command.username(), command.avatarUrl());
    }

    static String messageType(RoomCommand.Send send) {
        return send.messageType() == null ? Protocol.TEXT : send.messageType();
    }

    /** The message object of new-message, of the send ack and of history. */
    private Protocol.Message message(RoomCommand command, RoomCommand.Send send, String messageId, long createdAt) {
        return new Protocol.Message(messageId, command.roomId(), command.userId(), send.content(), messageType(send),
                Protocol.isoTime(createdAt), user(command), seq, send.clientMsgId(), send.replyTo());
    }

    /** The seq form answers the position; the message-id form answers read receipts (seed 004), one per known id. */
    private Object readAck(RoomCommand command, long position) {
        if (messageIds == null) {
            return new Protocol.ReadAck(command.roomId(), position);
        }
        List<Protocol.ReadReceipt> receipts = new ArrayList<>(messageIds.size());
        for (String id : messageIds) {
            receipts.add(new Protocol.ReadReceipt(id, command.roomId(), command.userId(), position));
        }
        return receipts;
    }

    /** A disconnected socket has nobody to answer. */
    static boolean repliesToLeave(RoomCommand command) {
        return !"disconnect".equals(leaveReason(command));
    }

    static String leaveReason(RoomCommand command) {
        return command.body() instanceof RoomCommand.Leave(String reason) && "disconnect".equals(reason)
                ? "disconnect" : "client";
    }

    RoomEvent event(RoomCommand command, RoomEvent.Body body) {
        return event(command, seq, body);
    }

    static RoomEvent event(RoomCommand command, long seq, RoomEvent.Body body) {
        return new RoomEvent(command.eventId(), command.roomId(), seq, command.userId(), command.timestamp(), body);
    }

    /** The members a create-room names besides its creator: distinct, in order (a pure function of the command). */
    static List<String> initialMembers(RoomCommand command) {
        RoomCommand.CreateRoom create = (RoomCommand.CreateRoom) command.body();
        if (create.members() == null) {
            return List.of();
        }
        return create.members().stream().filter(m -> m != null && !m.equals(command.userId())).distinct().toList();
    }

    void toRoom(List<Object> out, long acceptedAt, String roomId, String event, Object data) {
        toRoom(out, acceptedAt, roomId, event, data, null);
    }

    private void toRoom(List<Object> out, long acceptedAt, String roomId, String event, Object data, String excludeUserId) {
        JsonNode tree = Json.tree(data);
        for (Target target : targets) {
            out.add(new Delivery(target.edgeNodeId(), target.slot(), new Delivery.ToRoom(roomId, seq, event, tree, excludeUserId, acceptedAt)));
        }
    }

    /** {@link #toRoom}, the send's ack on the sender's node's delivery; false if that node is not a target. */
    private boolean toRoomWithAck(List<Object> out, String roomId, String event, Object data, RoomCommand command) {
        JsonNode tree = Json.tree(data);
        boolean acked = false;
        for (Target target : targets) {
            Delivery.Ack ack = null;
            if (!acked && target.edgeNodeId().equals(command.edgeNodeId())) {
                ack = new Delivery.Ack(command.connectionId(), command.ref());
                acked = true;
            }
            out.add(new Delivery(target.edgeNodeId(), target.slot(),
                    new Delivery.ToRoom(roomId, seq, event, tree, null, command.timestamp(), ack)));
        }
        return acked;
    }

    /**
     * Subscribes the command's connection to its room, on its node (no client request to answer);
     * with {@code missedAfter}, an added member's: its member-added (by {@code addedBy}) and the events after it up to seq.
     */
    private Delivery subscribe(RoomCommand command, Long missedAfter, String addedBy) {
        return new Delivery(command.edgeNodeId(), command.edgeSlot(), new Delivery.Subscribe(command.connectionId(),
                command.roomId(), command.userId(), missedAfter, missedAfter == null ? null : Math.max(seq, missedAfter),
                missedAfter == null ? null : addedBy));
    }

    /** Tells every target node that {@code userId} is no longer a member (after the room's last event for them). */
    private void unsubscribe(List<Object> out, String roomId, String userId) {
        for (Target target : targets) {
            out.add(new Delivery(target.edgeNodeId(), target.slot(), new Delivery.Unsubscribe(roomId, userId)));
        }
    }

    /** For the presence stage (user-events, key user id): where the user's presence changes must go. */
    private static UserEvent membership(RoomCommand command, UserEvent.Body body) {
        return new UserEvent(command.eventId(), command.userId(), command.edgeNodeId(), command.edgeSlot(),
                command.connectionId(), command.timestamp(), body);
    }

    /**
     * For the presence stage: {@code memberId} was made a member by the command's user, so their open
     * connections are subscribed at once (room-joined, reason added). The command's edge node and
     * connection are the adder's (the schema requires them); the presence stage ignores them here.
     */
    static UserEvent added(RoomCommand command, String memberId, long addedSeq) {
        return new UserEvent(command.eventId(), memberId, command.edgeNodeId(), command.edgeSlot(),
                command.connectionId(), command.timestamp(), UserEvent.RoomJoined.added(command.roomId(), addedSeq, command.userId()));
    }

    static Delivery reply(RoomCommand command, Object data) {
        return new Delivery(command.edgeNodeId(), command.edgeSlot(),
                new Delivery.Reply(command.connectionId(), command.ref(), true, Json.tree(data), null, command.timestamp()));
    }
}
