package io.parley.contracts.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.LeaseTick;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.event.UserPresence;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON Schemas in resources/schemas document every topic for consumers outside the JVM; this
 * checks them against what the serdes really write, for every event variant.
 */
class SchemaConformanceTest {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final String ID = EventIds.next();
    private static final Protocol.Message MESSAGE = new Protocol.Message(ID, "lobby", "alice", "hi", "text",
            Protocol.isoTime(1L), Protocol.User.of("alice", null, null), 2, "c-1", null);

    private static final Map<Topic, List<Object>> SAMPLES = Map.of( // Map.of: at most 10 topics
            Topic.ROOM_EVENTS, List.of(
                    new RoomEvent(ID, "lobby", 1, "alice", 1L, new RoomEvent.MemberJoined()),
                    new RoomEvent(ID, "lobby", 2, "alice", 1L, new RoomEvent.MessageSent(ID, "c-1", "hi", null)),
                    new RoomEvent(ID, "lobby", 3, "alice", 1L, new RoomEvent.MessageSent(ID, null, "re", ID)),
                    new RoomEvent(ID, "lobby", 6, "alice", 1L, new RoomEvent.MessageSent(ID, "c-2", "https://x/y.png", "image",
                            null, "Alice", "https://x/alice.png")),
                    new RoomEvent(ID, "lobby", 4, "alice", 1L, new RoomEvent.MemberLeft("client")),
                    new RoomEvent(ID, "lobby", 5, "alice", 1L, new RoomEvent.RoomCreated("Lobby", null, "private", 10)),
                    new RoomEvent(ID, "lobby", 6, "alice", 1L, new RoomEvent.RoomCreated(null, null, "public", null)),
                    new RoomEvent(ID, "lobby", 7, "alice", 1L, new RoomEvent.MemberAdded("bob", "member")),
                    new RoomEvent(ID, "lobby", 8, "alice", 1L, new RoomEvent.RoleSet("bob", "admin")),
                    new RoomEvent(ID, "lobby", 9, "alice", 1L, new RoomEvent.MemberRemoved("bob")),
                    new RoomEvent(ID, "lobby", 9, "alice", 1L, new RoomEvent.RoomCreated("T", null, "public", null, 60_000L)),
                    new RoomEvent(ID, "lobby", 9, "alice", 1L, new RoomEvent.RoomUpdated("Lounge", null, 20)),
                    new RoomEvent(ID, "lobby", 10, "alice", 1L, new RoomEvent.MemberMuted("bob")),
                    new RoomEvent(ID, "lobby", 11, "alice", 1L, new RoomEvent.MemberUnmuted("bob")),
                    new RoomEvent(ID, "lobby", 12, "alice", 1L, new RoomEvent.RoomDeleted("idle")),
                    new RoomEvent(ID, "lobby", 5, "alice", 1L, new RoomEvent.ReadPosition(3))),
            Topic.ROOM_COMMANDS, List.of(
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "7", 1L, new RoomCommand.Join()),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", null, 1L, new RoomCommand.Leave("disconnect")),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "8", 1L,
                            new RoomCommand.CreateRoom("Lobby", "all of us", "private", 5, java.util.List.of("bob"))),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "9", 1L,
                            new RoomCommand.CreateRoom(null, null, "public", null, null)),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "10", 1L, new RoomCommand.AddMember("bob")),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "11", 1L, new RoomCommand.SetRole("bob", "admin")),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "12", 1L, new RoomCommand.RemoveMember("bob")),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "12", 1L,
                            new RoomCommand.CreateRoom(null, null, "public", null, null, 60_000L)),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "12", 1L, new RoomCommand.UpdateRoom("Lounge", null, 20)),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "13", 1L, new RoomCommand.DeleteRoom(null)),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "14", 1L, new RoomCommand.MuteMember("bob")),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "15", 1L, new RoomCommand.UnmuteMember("bob")),
                    new RoomCommand(ID, io.parley.contracts.DirectRooms.idOf("alice", "bob"), "alice", "edge-1", 0, "conn-1", "16", 1L,
                            new RoomCommand.OpenDirect("bob")),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "8", 1L, new RoomCommand.Send("c-1", "hi", null)),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", null, 1L, new RoomCommand.TypingStart()),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", null, 1L, new RoomCommand.TypingStop()),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "9", 1L, new RoomCommand.MarkRead(4)),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "9", 1L, RoomCommand.MarkRead.ids(List.of(ID))),
                    new RoomCommand(ID, "lobby", "alice", "edge-1", 0, "conn-1", "10", 1L,
                            new RoomCommand.Send("c-3", "pic", "image", null), "Alice", "https://x/alice.png")),
            Topic.USER_EVENTS, List.of(
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.Connected()),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.Connected("Alice")),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.Disconnected("closed")),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.MessageAttempt("lobby")),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.MessageAttempt("lobby", 7)),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.PresenceSet("dnd", "in a meeting")),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.PresenceSet(null, "")),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.RoomJoined("lobby")),
                    new UserEvent(ID, "bob", "edge-1", 0, "conn-1", 1L, UserEvent.RoomJoined.added("lobby", 3, "alice")),
                    new UserEvent(ID, "alice", "edge-1", 0, "conn-1", 1L, new UserEvent.RoomLeft("lobby", "disconnect")),
                    new UserEvent(ID, "bob", "edge-1", 0, "conn-1", 1L, new UserEvent.RoomLeft("lobby", "removed"))),
            Topic.DELIVERIES, List.of(
                    new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 2, Protocol.NEW_MESSAGE,
                            Json.tree(MESSAGE))),
                    new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 2, Protocol.NEW_MESSAGE,
                            Json.tree(MESSAGE), null, 1L, new Delivery.Ack("conn-1", "8"))),
                    new Delivery("edge-1", 0, new Delivery.Reply("conn-1", "8", true, Json.tree(MESSAGE), null)),
                    new Delivery("edge-1", 0, new Delivery.Reply("conn-1", "9", true,
                            Json.tree(List.of(new Protocol.ReadReceipt(ID, "lobby", "alice", 2))), null)),
                    new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 3, Protocol.MESSAGES_READ,
                            Json.tree(new Protocol.MessagesRead("alice", List.of(ID), "lobby", 2, 3)))),
                    new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 0, Protocol.USER_ONLINE,
                            Json.tree(new Protocol.UserOnline("alice", "Alice", "lobby")), "alice")),
                    new Delivery("edge-1", 0, new Delivery.Reply("conn-1", "9", false, null,
                            new ErrorBody(ErrorCode.RATE_LIMIT_EXCEEDED, "slow down", 900L))),
                    new Delivery("edge-1", 0, new Delivery.RateLimit("alice", 5L)),
                    new Delivery("edge-1", 0, new Delivery.LeaseExpired(ID)),
                    new Delivery("edge-1", 0, new Delivery.Subscribe("conn-1", "lobby", "alice")),
                    new Delivery("edge-1", 0, new Delivery.Subscribe("conn-1", "lobby", "bob", 3L, 5L, "alice")),
                    new Delivery("edge-1", 0, new Delivery.Unsubscribe("lobby", "bob")),
                    new Delivery("edge-1", 0, new Delivery.ConnectionLimit("conn-1", "alice", 20)),
                    new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 9, Protocol.MEMBER_REMOVED,
                            Json.tree(new Protocol.MemberRemoved("lobby", "bob", "alice", 9)))),
                    new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 0, Protocol.PRESENCE_UPDATE,
                            Json.tree(new Protocol.PresenceUpdate("lobby", "alice", "offline", null, 5L)))),
                    new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 0, Protocol.USER_TYPING,
                            Json.tree(new Protocol.Typing("lobby", "alice")), "alice"))),
            Topic.PRESENCE, List.of(
                    new UserPresence("alice", "busy", "in a meeting", 1L, 2L),
                    new UserPresence("alice", "offline", null, 1L, 2L)),
            Topic.EDGE_NODES, List.of(new EdgeHeartbeat("edge-1", 0, 1L, 10_000L, 3),
                    new EdgeHeartbeat("edge-1", 0, 1L, 10_000L, 3, ID),
                    new LeaseTick(ID, 0, 1L)));

    @Test
    void everyTopicHasASchemaAndSamples() {
        for (Topic topic : Topic.values()) {
            assertThat(schema(topic)).as(topic.baseName()).isNotNull();
            assertThat(SAMPLES).containsKey(topic);
        }
    }

    @Test
    void whatTheSerdesWriteConformsToTheDocumentedSchema() {
        List<String> failures = new ArrayList<>();
        SAMPLES.forEach((topic, samples) -> {
            JsonSchema schema = schema(topic);
            for (Object sample : samples) {
                JsonNode written = Json.tree(sample);
                Set<ValidationMessage> errors = schema.validate(written);
                if (!errors.isEmpty()) {
                    failures.add(topic.baseName() + " " + written + ": " + errors);
                }
                written.fieldNames().forEachRemaining(field -> {
                    if (!schema.getSchemaNode().path("properties").has(field)) {
                        failures.add(topic.baseName() + ": field '" + field + "' is written but not documented");
                    }
                });
            }
        });
        assertThat(failures).isEmpty();
    }

    @Test
    void theSchemaRejectsAWrongShape() {
        JsonNode bad = Json.tree(Map.of("eventId", ID, "roomId", "lobby", "seq", 0, "userId", "alice",
                "timestamp", 1, "body", Map.of("type", "message-sent")));
        assertThat(schema(Topic.ROOM_EVENTS).validate(bad)).isNotEmpty();
    }

    @Test
    void theSerdeReadsBackWhatItWrote() {
        JsonSerde<RoomEvent> serde = Serdes.roomEvent();
        RoomEvent event = (RoomEvent) SAMPLES.get(Topic.ROOM_EVENTS).get(1);
        assertThat(serde.deserialize("t", serde.serialize("t", event))).isEqualTo(event);
    }

    @Test
    void aToRoomKeepsItsExcludedUserAndOmitsItWhenAbsent() {
        JsonSerde<Delivery> serde = Serdes.delivery();
        for (Object sample : SAMPLES.get(Topic.DELIVERIES)) {
            byte[] written = serde.serialize("t", (Delivery) sample);
            assertThat(serde.serialize("t", serde.deserialize("t", written))).isEqualTo(written);
        }
        Delivery typing = serde.deserialize("t", serde.serialize("t", (Delivery) SAMPLES.get(Topic.DELIVERIES).getLast()));
        assertThat(((Delivery.ToRoom) typing.body()).excludeUserId()).isEqualTo("alice");
        Delivery plain = new Delivery("edge-1", 0, new Delivery.ToRoom("lobby", 3, Protocol.NEW_MESSAGE, Json.tree(Map.of())));
        assertThat(new String(serde.serialize("t", plain), java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("excludeUserId");
    }

    @Test
    void aHeartbeatAndATickAreToldApartByTheSchema() {
        JsonSchema schema = schema(Topic.EDGE_NODES);
        assertThat(schema.validate(Json.tree(Map.of("edgeNodeId", "edge-1", "edgeSlot", 0)))).isNotEmpty();
        assertThat(schema.validate(Json.tree(Map.of("tickId", ID, "partition", 0)))).isNotEmpty();
        JsonSerde<EdgeHeartbeat> serde = Serdes.edgeHeartbeat();
        EdgeHeartbeat withBoot = new EdgeHeartbeat("edge-1", 0, 1L, 10_000L, 3, ID);
        assertThat(serde.deserialize("t", serde.serialize("t", withBoot))).isEqualTo(withBoot);
        assertThat(new String(serde.serialize("t", new EdgeHeartbeat("edge-1", 0, 1L, 10_000L, 3)),
                java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("bootId");
        assertThat(Topic.EDGE_NODES.configs()).containsEntry("message.timestamp.type", "LogAppendTime");
    }

    @Test
    void aMessageSentRecordOfBeforeContentReadsAsContentAndWritesBoth() {
        JsonSerde<RoomEvent> serde = Serdes.roomEvent();
        String old = "{\"eventId\":\"" + ID + "\",\"roomId\":\"lobby\",\"seq\":2,\"userId\":\"alice\",\"timestamp\":1,"
                + "\"body\":{\"type\":\"message-sent\",\"messageId\":\"" + ID + "\",\"text\":\"hi\"}}";
        RoomEvent event = serde.deserialize("t", old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        RoomEvent.MessageSent sent = (RoomEvent.MessageSent) event.body();
        assertThat(sent.content()).isEqualTo("hi");
        assertThat(sent.messageType()).isEqualTo("text");
        JsonNode written = Json.tree(event).get("body");
        assertThat(written.get("content").asText()).isEqualTo("hi");
        assertThat(written.get("text").asText()).isEqualTo("hi");
        assertThat(schema(Topic.ROOM_EVENTS).validate(Json.tree(event))).isEmpty();
    }

    @Test
    void aMessageAttemptOfBeforeTheCountStandsForOneSend() {
        String old = "{\"eventId\":\"" + ID + "\",\"userId\":\"alice\",\"edgeNodeId\":\"edge-1\",\"edgeSlot\":0,"
                + "\"connectionId\":\"c\",\"timestamp\":1,\"body\":{\"type\":\"message-attempt\",\"roomId\":\"lobby\"}}";
        UserEvent event = Serdes.userEvent().deserialize("t", old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(((UserEvent.MessageAttempt) event.body()).sends()).isEqualTo(1);
        assertThat(Json.tree(new UserEvent.MessageAttempt("lobby", 3)).toString())
                .isEqualTo("{\"type\":\"message-attempt\",\"roomId\":\"lobby\",\"count\":3}");
    }

    @Test
    void aSendCommandOfBeforeContentReadsAsContent() {
        JsonSerde<RoomCommand> serde = Serdes.roomCommand();
        String old = "{\"eventId\":\"" + ID + "\",\"roomId\":\"lobby\",\"userId\":\"alice\",\"edgeNodeId\":\"edge-1\","
                + "\"edgeSlot\":0,\"connectionId\":\"c\",\"timestamp\":1,\"body\":{\"type\":\"send-message\",\"text\":\"hi\"}}";
        RoomCommand command = serde.deserialize("t", old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(((RoomCommand.Send) command.body()).content()).isEqualTo("hi");
        assertThat(Json.tree(command).toString()).doesNotContain("\"text\"").doesNotContain("username");
    }

    @Test
    void theMessageObjectIsSeed004s() {
        JsonNode message = Json.tree(MESSAGE);
        assertThat(message.get("createdAt").asText()).isEqualTo("1970-01-01T00:00:00.001Z");
        assertThat(message.get("user").has("avatarUrl")).isTrue();
        assertThat(message.get("user").get("avatarUrl").isNull()).isTrue();
        assertThat(message.get("user").get("username").asText()).isEqualTo("alice");
        assertThat(message.get("id").asText()).isEqualTo(ID);
    }

    @Test
    void typingCommandsReadBack() {
        JsonSerde<RoomCommand> serde = Serdes.roomCommand();
        for (Object sample : SAMPLES.get(Topic.ROOM_COMMANDS)) {
            RoomCommand command = (RoomCommand) sample;
            assertThat(serde.deserialize("t", serde.serialize("t", command))).isEqualTo(command);
        }
    }

    private static JsonSchema schema(Topic topic) {
        InputStream in = SchemaConformanceTest.class.getResourceAsStream("/schemas/" + topic.baseName() + ".schema.json");
        assertThat(in).as("schemas/" + topic.baseName() + ".schema.json").isNotNull();
        return FACTORY.getSchema(in);
    }
}
