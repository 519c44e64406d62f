/*
 * TypingStageTest owns the TopologyTestDriver checks of typing indicators in the room stage: fan-out without the typist, no re-broadcast on refresh,
 * wall-clock expiry, stop on send and on disconnect, members only, never a room event.
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

class TypingStageTest extends RoomStageTest {
    private void aliceAndBobOnTwoNodes() {
        pipe(join("alice", "edge-a", 0, "a1"));
        pipe(join("bob", "edge-b", 5, "b1"));
    }

    private RoomCommand typing(String user, String node, int slot, String connection, boolean start) {
        return command(user, node, slot, connection, ROOM, start ? new RoomCommand.TypingStart() : new RoomCommand.TypingStop());
    }

    private static void assertTyping(TestRecord<String, Delivery> record, String node, int slot, String event) {
        // user-typing {roomId, userId, username}; user-stopped-typing {roomId, userId} (seed 004)
        assertToRoom(record, node, slot, 0, event, Protocol.USER_TYPING.equals(event)
                ? new Protocol.Typing(ROOM, "alice", "alice") : new Protocol.Typing(ROOM, "alice"));
        assertThat(((Delivery.ToRoom) record.value().body()).excludeUserId()).isEqualTo("alice");
    }

    @Test
    void typingStartReachesEveryNodeWithoutTheTypistAndARefreshIsNotRebroadcast() {
        aliceAndBobOnTwoNodes();
        Out out = pipe(typing("alice", "edge-a", 0, "a1", true));
        assertThat(out.events()).isEmpty(); // never in the room's history
        assertThat(out.deliveries()).hasSize(3);
        assertTyping(out.deliveries().get(0), "edge-a", 0, Protocol.USER_TYPING);
        assertTyping(out.deliveries().get(1), "edge-b", 5, Protocol.USER_TYPING);
        assertThat(out.deliveries().get(2).value().body()).isInstanceOfSatisfying(Delivery.Reply.class, reply -> {
            assertThat(reply.ok()).isTrue();
            assertThat(reply.connectionId()).isEqualTo("a1");
        });

        out = pipe(typing("alice", "edge-a", 0, "a1", true)); // a refresh within the window: only the ack
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertThat(d.value().body()).isInstanceOf(Delivery.Reply.class));

        out = pipe(typing("alice", "edge-a", 0, "a1", false));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).hasSize(3);
        assertTyping(out.deliveries().get(0), "edge-a", 0, Protocol.USER_STOPPED_TYPING);
        assertTyping(out.deliveries().get(1), "edge-b", 5, Protocol.USER_STOPPED_TYPING);

        out = pipe(typing("alice", "edge-a", 0, "a1", false)); // not typing: nothing to tell anyone
        assertThat(out.toRoomNodes()).isEmpty();
    }

    @Test
    void aTypistWhoStopsRefreshingIsStoppedByTheWallClockAfterTheTimeout() {
        aliceAndBobOnTwoNodes();
        pipe(typing("alice", "edge-a", 0, "a1", true));
        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() / 2));
        pipe(typing("alice", "edge-a", 0, "a1", true)); // refreshed: the timeout counts from here
        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() - Stores.TYPING_EXPIRY_INTERVAL.toMillis()));
        assertThat(deliveries.readRecordsToList()).isEmpty();

        driver.advanceWallClockTime(Stores.TYPING_EXPIRY_INTERVAL.multipliedBy(2));
        List<TestRecord<String, Delivery>> stopped = deliveries.readRecordsToList();
        assertThat(stopped).hasSize(2);
        assertTyping(stopped.get(0), "edge-a", 0, Protocol.USER_STOPPED_TYPING);
        assertTyping(stopped.get(1), "edge-b", 5, Protocol.USER_STOPPED_TYPING);
        assertThat(events.readRecordsToList()).isEmpty();

        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() * 2));
        assertThat(deliveries.readRecordsToList()).isEmpty(); // stopped once
        Out out = pipe(typing("alice", "edge-a", 0, "a1", true)); // typing again is news again
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");
    }

    @Test
    void aMessageFromTheTypistStopsTypingRightAfterTheMessage() {
        aliceAndBobOnTwoNodes();
        pipe(typing("alice", "edge-a", 0, "a1", true));
        RoomCommand send = send("alice", "edge-a", 0, "a1", null, "hi", null);
        Out out = pipe(send);
        assertThat(out.events()).hasSize(1);
        assertThat(out.deliveries()).hasSize(4);
        assertThat(((Delivery.ToRoom) out.deliveries().get(0).value().body()).event()).isEqualTo(Protocol.NEW_MESSAGE);
        assertThat(((Delivery.ToRoom) out.deliveries().get(1).value().body()).event()).isEqualTo(Protocol.NEW_MESSAGE);
        assertTyping(out.deliveries().get(2), "edge-a", 0, Protocol.USER_STOPPED_TYPING);
        assertTyping(out.deliveries().get(3), "edge-b", 5, Protocol.USER_STOPPED_TYPING);

        out = pipe(send("alice", "edge-a", 0, "a1", null, "again", null)); // not typing: no stop
        assertThat(out.deliveries()).hasSize(2);
    }

    @Test
    void disconnectingTheTypingConnectionStopsTypingButAnotherDeviceLeavingDoesNot() {
        aliceAndBobOnTwoNodes();
        pipe(join("alice", "edge-b", 5, "a2"));
        pipe(typing("alice", "edge-a", 0, "a1", true));
        Out out = pipe(leave("alice", "edge-b", 5, "a2", "disconnect"));
        assertThat(out.toRoomNodes()).isEmpty();

        out = pipe(leave("alice", "edge-a", 0, "a1", "disconnect")); // her last connection: left, and stopped
        List<TestRecord<String, Delivery>> stops = out.deliveries().stream()
                .filter(d -> d.value().body() instanceof Delivery.ToRoom t && t.event().equals(Protocol.USER_STOPPED_TYPING))
                .toList();
        assertThat(stops).singleElement().satisfies(d -> assertTyping(d, "edge-b", 5, Protocol.USER_STOPPED_TYPING));
        driver.advanceWallClockTime(Duration.ofMillis(CONFIG.typingTimeoutMs() * 2));
        assertThat(deliveries.readRecordsToList()).isEmpty();
    }
    @Test
    void onlyMembersMayTypeAndABadRoomIsRefused() {
        aliceAndBobOnTwoNodes();
        Out out = pipe(typing("mallory", "edge-a", 0, "m1", true));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "m1", ErrorCode.AUTHORIZATION_FAILED));
        out = pipe(command("alice", "edge-a", 0, "a1", "bad|room", new RoomCommand.TypingStart()));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "a1", ErrorCode.INVALID_ROOM));
        out = pipe(typing("mallory", "edge-a", 0, "m1", false));
        assertThat(out.deliveries()).singleElement().satisfies(d -> assertError(d, "edge-a", 0, "m1", ErrorCode.AUTHORIZATION_FAILED));
        assertThat(events.readRecordsToList()).isEmpty();
    }
}
