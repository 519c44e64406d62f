/*
 * MarkReadRouting owns where a mark-read goes: the seq form and ids with a room go to that room;
 * seed 004's bare message ids go to the room(s) this node delivered them in (MessageRooms), ids it
 * never delivered to the connection's only room, if it has exactly one; ids of several rooms make
 * one room command per room, the ack from the first id's room.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.delivery.MessageRooms;
import io.parley.edge.publish.CommandPublisher;
import io.parley.edge.session.ClientConnection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Thread-safe; never blocks. */
final class MarkReadRouting {
    private final CommandRecords records;
    private final MessageRooms messageRooms;

    /** @param messageRooms the rooms of messages delivered on this node (the DeliveryHandler fills it) */
    MarkReadRouting(CommandRecords records, MessageRooms messageRooms) {
        this.records = records;
        this.messageRooms = messageRooms;
    }

    /**
     * Publishes {@code read}; {@code answerFailure} (the command's outcome) goes with the command
     * that carries the ref. Ids of no known room with no or several joined rooms: INVALID_MESSAGE,
     * nothing published. The other rooms' commands answer only errors, as "error" events.
     */
    void markRead(ClientConnection connection, String ref, Command.MarkRead read, CommandPublisher.Outcome answerFailure) {
        if (read.messageIds() == null) {
            records.publishRoom(connection, read.roomId(), ref, RoomCommand.MarkRead.upTo(read.seq()), answerFailure);
            return;
        }
        if (read.roomId() != null) {
            records.publishRoom(connection, read.roomId(), ref, RoomCommand.MarkRead.ids(read.messageIds()), answerFailure);
            return;
        }
        Map<String, List<String>> byRoom = new LinkedHashMap<>();
        List<String> unplaced = new ArrayList<>();
        for (String id : read.messageIds()) {
            String room = messageRooms.roomOf(id);
            if (room == null) {
                unplaced.add(id);
            } else {
                byRoom.computeIfAbsent(room, r -> new ArrayList<>()).add(id);
            }
        }
        if (!unplaced.isEmpty()) {
            Set<String> rooms = connection.subscriptions().requestedRooms();
            String only = rooms.size() == 1 ? rooms.iterator().next() : null;
            if (only != null) {
                byRoom.computeIfAbsent(only, r -> new ArrayList<>()).addAll(unplaced);
            } else if (byRoom.isEmpty()) {
                connection.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.INVALID_MESSAGE,
                        "cannot tell the room of these message ids: send {roomId, messageIds}")));
                return;
            }
        }
        boolean first = true;
        for (Map.Entry<String, List<String>> room : byRoom.entrySet()) {
            records.publishRoom(connection, room.getKey(), first ? ref : null, RoomCommand.MarkRead.ids(room.getValue()),
                    first ? answerFailure : CommandPublisher.Outcome.IGNORE);
            first = false;
        }
    }
}
