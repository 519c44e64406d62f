/*
 * MarkReadRoutingTest owns the proof of where a mark-read goes: the seq form and ids with a room
 * to that room; bare ids to the rooms they were delivered in, one command per room with the ref
 * (the ack) on the first; ids never delivered here to the only joined room, or INVALID_MESSAGE
 * with nothing published when there is no such room.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.RoomCommand;
import io.parley.edge.publish.CommandPublisher;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MarkReadRoutingTest extends CommandFixture {
    private final MarkReadRouting routing = new MarkReadRouting(records, messageRooms);

    private void markRead(String ref, String roomId, Long seq, List<String> ids) {
        routing.markRead(alice, ref, new Command.MarkRead(roomId, seq, ids), CommandPublisher.Outcome.IGNORE);
    }

    @Test
    void markReadWithBareIdsGoesToTheRoomsTheIdsWereDeliveredInOrTheOnlyJoinedRoom() {
        messageRooms.put("m1", "r1");
        messageRooms.put("m2", "r2");
        markRead("1", null, null, List.of("m1"));
        assertThat(publisher.roomCommands.getLast().roomId()).isEqualTo("r1");
        assertThat(publisher.roomCommands.getLast().body()).isEqualTo(RoomCommand.MarkRead.ids(List.of("m1")));
        assertThat(publisher.roomCommands.getLast().ref()).isEqualTo("1");

        // Ids of two rooms: one command per room, the ref (the ack) on the first.
        publisher.roomCommands.clear();
        markRead("2", null, null, List.of("m2", "m1"));
        assertThat(publisher.roomCommands).extracting(RoomCommand::roomId).containsExactly("r2", "r1");
        assertThat(publisher.roomCommands).extracting(RoomCommand::ref).containsExactly("2", null);

        // Ids this node never delivered: with no or several joined rooms there is no room to ask.
        publisher.roomCommands.clear();
        markRead("3", null, null, List.of("old"));
        assertThat(publisher.roomCommands).isEmpty();
        assertThat(alice.replies.getLast().error().code()).isEqualTo(ErrorCode.INVALID_MESSAGE);
        // With exactly one joined room, that room decides (it knows its ids).
        alice.subscriptions().requested("r9");
        markRead("5", null, null, List.of("old"));
        assertThat(publisher.roomCommands.getLast().roomId()).isEqualTo("r9");
        // The seq form and ids with a room go where they say.
        markRead("6", "r3", 4L, null);
        assertThat(publisher.roomCommands.getLast().body()).isEqualTo(RoomCommand.MarkRead.upTo(4));
        markRead("7", "r4", null, List.of("m1"));
        assertThat(publisher.roomCommands.getLast().roomId()).isEqualTo("r4");
    }
}
