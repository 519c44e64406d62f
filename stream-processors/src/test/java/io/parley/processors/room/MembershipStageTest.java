/*
 * MembershipStageTest owns the TopologyTestDriver checks of membership by connection in the room stage: join / leave with two edge nodes (exact deliveries per node, keys
 * and slot partitions, user-joined to the others only, a second device an ack only, the routing
 * table following the connections). Rooms as objects: RoomAccessTopologyTest.
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

class MembershipStageTest extends RoomStageTest {
    @Test
    void joinSendLeaveWithTwoEdgeNodesDeliversOncePerNode() {
        // alice joins on edge-a: reply first, then user-joined to edge-a (the only node).
        Out out = pipe(join("alice", "edge-a", 0, "a1"));
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(ROOM);
            assertThat(e.value().seq()).isEqualTo(1);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberJoined());
        });
        assertThat(out.deliveries()).hasSize(2);
        assertReply(out.deliveries().get(0), "edge-a", 0, "a1", new Protocol.RoomAck(ROOM, 1));
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 1, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("alice", null, null), "alice", 1));
        // Seed 004 tells the other members (socket.to(room)): not the joiner's own sockets.
        assertThat(((Delivery.ToRoom) out.deliveries().get(1).value().body()).excludeUserId()).isEqualTo("alice");

        // bob joins on edge-b (slot 5): user-joined goes to both nodes, once each; the reply comes first.
        out = pipe(join("bob", "edge-b", 5, "b1"));
        assertThat(out.eventSeqs()).containsExactly(2L);
        assertThat(out.deliveries()).hasSize(3);
        assertReply(out.deliveries().get(0), "edge-b", 5, "b1", new Protocol.RoomAck(ROOM, 2));
        assertToRoom(out.deliveries().get(1), "edge-a", 0, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("bob", null, null), "bob", 2));
        assertToRoom(out.deliveries().get(2), "edge-b", 5, 2, Protocol.USER_JOINED, new Protocol.MembershipChange(ROOM, Protocol.User.of("bob", null, null), "bob", 2));

        // alice's second device, on edge-b: she is already a member, so only the reply.
        out = pipe(join("alice", "edge-b", 5, "a2"));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).hasSize(1);
        assertReply(out.deliveries().get(0), "edge-b", 5, "a2", new Protocol.RoomAck(ROOM, 2));

        // carol on edge-a: now each node holds two sockets of the room.
        out = pipe(join("carol", "edge-a", 0, "c1"));
        assertThat(out.eventSeqs()).containsExactly(3L);
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");

        // alice sends from a1: one new-message per node (not per socket); the ack to a1 rides in edge-a's.
        RoomCommand send = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        out = pipe(send);
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(4);
            assertThat(e.value().eventId()).isEqualTo(send.eventId());
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MessageSent(send.eventId(), "m-1", "hello", null));
        });
        assertThat(out.deliveries()).hasSize(2);
        // The message object (seed 004's messageWithUser) is the ack's data and new-message's.
        Protocol.Message message = new Protocol.Message(send.eventId(), ROOM, "alice", "hello", "text",
                Protocol.isoTime(send.timestamp()), new Protocol.User("alice", "alice", null), 4, "m-1", null);
        assertToRoom(out.deliveries().get(0), "edge-a", 0, 4, Protocol.NEW_MESSAGE, message);
        assertToRoom(out.deliveries().get(1), "edge-b", 5, 4, Protocol.NEW_MESSAGE, message);
        assertThat(((Delivery.ToRoom) out.deliveries().get(0).value().body()).ack())
                .isEqualTo(new Delivery.Ack("a1", send.ref()));
        assertThat(((Delivery.ToRoom) out.deliveries().get(1).value().body()).ack()).isNull();

        // bob leaves by request: ack, member-left, user-left to both nodes (alice's a2 keeps edge-b in the room).
        out = pipe(leave("bob", "edge-b", 5, "b1", "client"));
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(5);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberLeft("client"));
        });
        assertReply(out.deliveries().get(0), "edge-b", 5, "b1", new Protocol.RoomAck(ROOM, 5));
        assertThat(out.toRoomNodes()).containsExactly("edge-a", "edge-b");

        // a2 disconnects: alice is still a member through a1; no reply to a closed socket, no event.
        out = pipe(leave("alice", "edge-b", 5, "a2", "disconnect"));
        assertThat(out.events()).isEmpty();
        assertThat(out.deliveries()).isEmpty();

        // edge-b holds no socket of the room any more: carol's message goes to edge-a only.
        out = pipe(send("carol", "edge-a", 0, "c1", null, "hi", null));
        assertThat(out.eventSeqs()).containsExactly(6L);
        assertThat(out.deliveries()).hasSize(1);
        assertThat(out.toRoomNodes()).containsExactly("edge-a");

        // alice's last connection disconnects: member-left(disconnect), no reply, user-left to edge-a.
        out = pipe(leave("alice", "edge-a", 0, "a1", "disconnect"));
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.value().seq()).isEqualTo(7);
            assertThat(e.value().body()).isEqualTo(new RoomEvent.MemberLeft("disconnect"));
        });
        assertThat(out.deliveries()).singleElement().satisfies(d ->
                assertToRoom(d, "edge-a", 0, 7, Protocol.USER_LEFT, new Protocol.MembershipChange(ROOM, Protocol.User.of("alice", null, null), "alice", 7)));
    }
}
