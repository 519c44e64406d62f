/*
 * ReadStageTest owns the TopologyTestDriver checks of read positions in the room stage: mark-read forward only as a room event, by seq and by
 * message ids, replays, and the message index expiring with the decisions.
 */
package io.parley.processors.room;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.json.Serdes;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.Main;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.SlotPartitioner;
import io.parley.processors.Stores;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ReadStageTest extends RoomStageTest {
    @Test
    void markReadMovesForwardOnlyIsARoomEventAndReachesTheRoom() {
        pipe(join("alice", "edge-a", 0, "a1"));                        // seq 1
        pipe(join("bob", "edge-b", 5, "b1"));                          // seq 2
        pipe(send("alice", "edge-a", 0, "a1", null, "one", null));     // seq 3
        pipe(send("alice", "edge-a", 0, "a1", null, "two", null));     // seq 4

        Out out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(3)));
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(5);
            assertThat(e.value().userId()).isEqualTo("bob");
            assertThat(e.value().body()).isEqualTo(new RoomEvent.ReadPosition(3));
        });
        assertReply(out.deliveries().get(0), "edge-b", 5, "b1", new Protocol.ReadAck(ROOM, 3));
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 5, Protocol.MESSAGES_READ, new Protocol.MessagesRead("bob", List.of(), ROOM, 3, 5));
        assertToRoom(out.deliveries().get(2), "edge-b", 5, 5, Protocol.MESSAGES_READ, new Protocol.MessagesRead("bob", List.of(), ROOM, 3, 5));

        // Lower or equal: acknowledged with the current position, nothing else, no error.
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(2)));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertReply(d, "edge-b", 5, "b1", new Protocol.ReadAck(ROOM, 3)));
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(3)));
        assertThat(out.events()).isEmpty();

        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(4)));
        assertThat(out.events()).singleElement().satisfies(e -> assertThat(e.value().body()).isEqualTo(new RoomEvent.ReadPosition(4)));

        // Past the room's last event, not positive, or not a member: refused with a code.
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(99)));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.INVALID_MESSAGE));
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(0)));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.INVALID_MESSAGE));
        out = pipe(command("mallory", "edge-b", 5, "m1", ROOM, new RoomCommand.MarkRead(1)));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "m1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(events.readRecordsToList()).isEmpty();
    }

    @Test
    void aReplayedMarkReadReEmitsTheSameEvent() {
        pipe(join("bob", "edge-b", 5, "b1"));
        pipe(send("bob", "edge-b", 5, "b1", null, "one", null));
        RoomCommand read = command("bob", "edge-b", 5, "b1", ROOM, new RoomCommand.MarkRead(2));
        Out first = pipe(read);
        Out again = pipe(read);
        assertThat(again.events()).hasSize(1);
        assertThat(again.events().get(0).value()).isEqualTo(first.events().get(0).value());
    }

    @Test
    void markReadByMessageIdsMovesToTheHighestKnownIdAndTellsTheRoomWhichIds() {
        pipe(join("alice", "edge-a", 0, "a1"));                                // seq 1
        pipe(join("bob", "edge-b", 5, "b1"));                                  // seq 2
        RoomCommand one = send("alice", "edge-a", 0, "a1", null, "one", null);  // seq 3
        RoomCommand two = send("alice", "edge-a", 0, "a1", null, "two", null);  // seq 4
        pipe(one);
        pipe(two);

        // Known ids in any order, plus one the room does not know (left out): up to the highest, seq 4.
        RoomCommand read = command("bob", "edge-b", 5, "b1", ROOM,
                RoomCommand.MarkRead.ids(List.of(two.eventId(), "not-a-message", one.eventId())));
        Out out = pipe(read);
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(5);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.ReadPosition(4));
        });
        assertThat(out.deliveries()).hasSize(3);
        // The ack's data: read receipts, one per known id (seed 004 answers an array).
        assertReplyJson(out.deliveries().get(0), "edge-b", 5, "b1", List.of(
                new Protocol.ReadReceipt(two.eventId(), ROOM, "bob", 4), new Protocol.ReadReceipt(one.eventId(), ROOM, "bob", 4)));
        Protocol.MessagesRead messagesRead = new Protocol.MessagesRead("bob", List.of(two.eventId(), one.eventId()), ROOM, 4, 5);
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 5, Protocol.MESSAGES_READ, messagesRead);
        assertToRoom(out.deliveries().get(2), "edge-b", 5, 5, Protocol.MESSAGES_READ, messagesRead);

        // A replay of the same command re-emits the same records.
        Out replayed = pipe(read);
        assertThat(replayed.events().get(0).value()).isEqualTo(out.events().get(0).value());
        assertThat(replayed.deliveries()).isEqualTo(out.deliveries());

        // An older id: acknowledged with the current position, nothing else.
        out = pipe(command("bob", "edge-b", 5, "b1", ROOM, RoomCommand.MarkRead.ids(List.of(one.eventId()))));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertReplyJson(d, "edge-b", 5, "b1",
                List.of(new Protocol.ReadReceipt(one.eventId(), ROOM, "bob", 4))));

        // No id known (never sent, or sent to another room): INVALID_MESSAGE; so are malformed ids and both forms at once.
        pipe(join("bob", "edge-b", 5, "b1", "other"));
        RoomCommand elsewhere = send("bob", "edge-b", 5, "b1", null, "elsewhere", null, "other");
        pipe(elsewhere);
        for (RoomCommand.MarkRead bad : List.of(RoomCommand.MarkRead.ids(List.of("nope")),
                RoomCommand.MarkRead.ids(List.of(elsewhere.eventId())),
                RoomCommand.MarkRead.ids(List.of("has space")),
                new RoomCommand.MarkRead(3L, List.of(one.eventId())),
                new RoomCommand.MarkRead(null, List.of()))) {
            out = pipe(command("bob", "edge-b", 5, "b1", ROOM, bad));
            assertThat(out.events()).as(bad.toString()).isEmpty();
            assertThat(out.deliveries()).as(bad.toString()).singleElement()
                    .satisfies(d -> assertError(d, "edge-b", 5, "b1", ErrorCode.INVALID_MESSAGE));
        }
        // Not a member: AUTHORIZATION_FAILED.
        out = pipe(command("mallory", "edge-b", 5, "m1", ROOM, RoomCommand.MarkRead.ids(List.of(one.eventId()))));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-b", 5, "m1", ErrorCode.AUTHORIZATION_FAILED));
    }

    @Test
    void theMessageIndexExpiresWithTheDecisions() {
        pipe(join("alice", "edge-a", 0, "a1"));
        RoomCommand hello = send("alice", "edge-a", 0, "a1", null, "hello", null);
        pipe(hello);
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        // The send's decision is the index (no entry of its own), found from the message id alone.
        assertThat(store.get(RoomKeys.message(ROOM, hello.eventId()))).isNull();
        assertThat(store.get(RoomKeys.doneOfMessage(hello.eventId()))).isInstanceOfSatisfying(RoomEntry.Done.class,
                done -> assertThat(done.decision().seq()).isEqualTo(2));

        driver.advanceWallClockTime(Stores.DECISION_RETENTION.plus(Stores.DECISION_EXPIRY_INTERVAL).plus(Duration.ofMinutes(1)));

        assertThat(store.get(RoomKeys.doneOfMessage(hello.eventId()))).isNull();
        Out out = pipe(command("alice", "edge-a", 0, "a1", ROOM, RoomCommand.MarkRead.ids(List.of(hello.eventId()))));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_MESSAGE));
        // The seq form still works for old messages.
        out = pipe(command("alice", "edge-a", 0, "a1", ROOM, new RoomCommand.MarkRead(2)));
        assertThat(out.eventSeqs()).containsExactly(3L);
    }
}
