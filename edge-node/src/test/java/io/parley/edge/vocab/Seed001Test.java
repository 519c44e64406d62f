/*
 * Seed001Test owns the unit tests of the seed-001 profile table: every seed event in and out,
 * payload field names and argument shapes, reply events, refusals.
 */
package io.parley.edge.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.command.CommandParser;
import io.parley.edge.command.Command;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class Seed001Test {
    /** Parley's message object (seed 004's). */
    static final String MESSAGE = "{\"id\":\"m1\",\"roomId\":\"r1\",\"userId\":\"alice\",\"content\":\"hi\","
            + "\"messageType\":\"text\",\"createdAt\":\"2026-11-29T21:00:00.000Z\","
            + "\"user\":{\"id\":\"alice\",\"username\":\"Alice\",\"avatarUrl\":null},\"seq\":3}";
    private static final Vocabulary V = Vocabularies.SEED_001;
    private final CommandParser parser = new CommandParser(4000);

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Maps a seed event and parses it into Parley's command, as the endpoint does. */
    Command command(String event, JsonNode... args) {
        Vocabulary.Inbound inbound = V.inbound(event, List.of(args));
        assertThat(inbound).isInstanceOf(Vocabulary.Inbound.Request.class);
        Vocabulary.Inbound.Request request = (Vocabulary.Inbound.Request) inbound;
        CommandParser.Parsed parsed = parser.parse(request.op(), request.data());
        assertThat(parsed).as("%s -> %s", event, parsed).isInstanceOf(CommandParser.Valid.class);
        return ((CommandParser.Valid) parsed).command();
    }

    @Test
    void joinAndLeaveTakeTheRoomObjectOrABareName() {
        assertThat(command("join-room", json("{\"room\":\"chat-room\",\"metadata\":{\"x\":1}}")))
                .isEqualTo(new Command.JoinRoom("chat-room"));
        assertThat(command("join-room", json("\"general\""))).isEqualTo(new Command.JoinRoom("general"));
        assertThat(command("leave-room", json("{\"room\":\"chat-room\"}"))).isEqualTo(new Command.LeaveRoom("chat-room"));
        assertThat(((Vocabulary.Inbound.Request) V.inbound("join-room", List.of(json("{\"room\":\"r\"}")))).tag())
                .isEqualTo(Seed001.JOIN);
    }

    @Test
    void messageMapsRoomAndContentAndIgnoresTheClaimedSender() {
        Command send = command("message", json("{\"from\":\"mallory\",\"room\":\"chat-room\",\"content\":\"Hello!\",\"type\":\"text\"}"));
        assertThat(send).isInstanceOf(Command.SendMessage.class);
        Command.SendMessage message = (Command.SendMessage) send;
        assertThat(message.roomId()).isEqualTo("chat-room");
        assertThat(message.content()).isEqualTo("Hello!");
        assertThat(message.messageType()).isEqualTo("text");
    }

    @Test
    void aMessageToOneSocketIsRefusedClearly() {
        Vocabulary.Inbound inbound = V.inbound("message", List.of(json("{\"to\":\"socket-1\",\"content\":\"psst\"}")));
        assertThat(inbound).isInstanceOf(Vocabulary.Inbound.Refused.class);
        assertThat(((Vocabulary.Inbound.Refused) inbound).error().code()).isEqualTo(ErrorCode.INVALID_ROOM);
    }

    @Test
    void typingPresenceAndPing() {
        assertThat(command("typing-start", json("{\"room\":\"r1\"}"))).isEqualTo(new Command.StartTyping("r1"));
        assertThat(command("typing-stop", json("{\"room\":\"r1\"}"))).isEqualTo(new Command.StopTyping("r1"));
        assertThat(command("presence-update", json("\"away\""))).isEqualTo(new Command.UpdatePresence("away", null));
        assertThat(command("ping")).isEqualTo(new Command.Ping());
        // offline is computed by Parley, never chosen: the parser refuses it clearly
        Vocabulary.Inbound.Request offline = (Vocabulary.Inbound.Request) V.inbound("presence-update", List.of(json("\"offline\"")));
        assertThat(parser.parse(offline.op(), offline.data())).isInstanceOf(CommandParser.Invalid.class);
    }

    @Test
    void unknownEventsAndBadShapesAreRefused() {
        Vocabulary.Inbound unknown = V.inbound("send-message", List.of(json("{}")));
        assertThat(((Vocabulary.Inbound.Refused) unknown).error().code()).isEqualTo(ErrorCode.UNKNOWN_EVENT);
        Vocabulary.Inbound number = V.inbound("join-room", List.of(json("42")));
        assertThat(((Vocabulary.Inbound.Refused) number).error().code()).isEqualTo(ErrorCode.INVALID_MESSAGE);
        Vocabulary.Inbound.Request noRoom = (Vocabulary.Inbound.Request) V.inbound("join-room", List.of());
        assertThat(((CommandParser.Invalid) parser.parse(noRoom.op(), noRoom.data())).error().code()).isEqualTo(ErrorCode.INVALID_ROOM);
    }

    @Test
    void outboundEventsUseTheSeedNamesAndFields() {
        Vocabulary.Emission message = V.outbound("new-message", json(
                Seed001Test.MESSAGE));
        assertThat(message.event()).isEqualTo("message");
        JsonNode payload = message.args().get(0);
        assertThat(payload.path("from").asText()).isEqualTo("alice");
        assertThat(payload.path("room").asText()).isEqualTo("r1");
        assertThat(payload.path("content").asText()).isEqualTo("hi");
        assertThat(payload.path("type").asText()).isEqualTo("text");
        assertThat(payload.path("id").asText()).isEqualTo("m1");
        assertThat(payload.path("seq").asLong()).isEqualTo(3);
        assertThat(payload.path("timestamp").asText()).isEqualTo("2026-11-29T21:00:00.000Z");
        assertThat(payload.path("user").path("username").asText()).isEqualTo("Alice");

        Vocabulary.Emission typing = V.outbound("user-typing", json("{\"roomId\":\"r1\",\"userId\":\"bob\",\"username\":\"Bob\"}"));
        assertThat(typing).isEqualTo(new Vocabulary.Emission("typing-start",
                List.of(json("{\"userId\":\"bob\",\"username\":\"Bob\",\"room\":\"r1\",\"isTyping\":true}"))));
        Vocabulary.Emission stopped = V.outbound("user-stopped-typing", json("{\"roomId\":\"r1\",\"userId\":\"bob\"}"));
        assertThat(stopped.event()).isEqualTo("typing-stop");
        assertThat(stopped.args().get(0).path("isTyping").asBoolean(true)).isFalse();

        Vocabulary.Emission presence = V.outbound("presence-update", json("{\"roomId\":\"r1\",\"userId\":\"bob\",\"status\":\"away\"}"));
        assertThat(presence.event()).isEqualTo("presence-update");
        assertThat(presence.args().get(0).path("userId").asText()).isEqualTo("bob");
        assertThat(presence.args().get(0).path("status").asText()).isEqualTo("away");
        // Parley events the seed does not name pass unchanged
        assertThat(V.outbound("user-joined", json("{\"roomId\":\"r1\"}")).event()).isEqualTo("user-joined");
    }

    @Test
    void repliesBecomeRoomJoinedRoomLeftRoomErrorAndPong() {
        List<Vocabulary.Emission> joined = V.reply(Seed001.JOIN, ServerReply.ok("join.1", json("{\"roomId\":\"r1\",\"seq\":4}")));
        assertThat(joined).hasSize(1);
        assertThat(joined.get(0).event()).isEqualTo("room-joined");
        assertThat(joined.get(0).args().get(0).path("room").asText()).isEqualTo("r1");
        assertThat(joined.get(0).args().get(0).path("success").asBoolean()).isTrue();
        assertThat(V.reply(Seed001.LEAVE, ServerReply.ok(null, json("{\"roomId\":\"r1\",\"seq\":5}"))).get(0).event())
                .isEqualTo("room-left");
        List<Vocabulary.Emission> refused = V.reply(Seed001.JOIN,
                ServerReply.error(null, ErrorBody.of(ErrorCode.ROOM_FULL, "full")));
        assertThat(refused.get(0).event()).isEqualTo("room-error");
        assertThat(refused.get(0).args().get(0).path("code").asText()).isEqualTo("ROOM_FULL");
        assertThat(V.reply(Seed001.PING, ServerReply.ok(null, null))).containsExactly(new Vocabulary.Emission("pong", List.of()));
        assertThat(V.reply(null, ServerReply.ok(null, null))).isEmpty();
    }

    @Test
    void theProfileIsFoundByName() {
        assertThat(Vocabularies.byName("seed-001")).isSameAs(V);
        assertThat(Vocabularies.byName(null)).isSameAs(Vocabularies.DEFAULT);
        assertThat(Vocabularies.byName("seed-004")).isSameAs(Vocabularies.DEFAULT);
        assertThat(Vocabularies.byName("seed-999")).isNull();
        assertThat(Vocabularies.chosen("seed-002", json("{\"token\":\"t\",\"profile\":\"seed-001\"}"))).isSameAs(V);
        assertThat(Vocabularies.chosen("seed-001", json("{\"token\":\"t\"}"))).isSameAs(V);
        assertThat(Vocabularies.chosen(null, json("{\"vocabulary\":\"seed-001\"}"))).isSameAs(V);
        assertThat(Vocabularies.chosen(null, null)).isSameAs(Vocabularies.DEFAULT);
        assertThat(Vocabularies.chosen(null, json("{\"profile\":7}"))).isNull();
        assertThat(Map.of(V.index(), 1)).containsKey(1);
    }
}
