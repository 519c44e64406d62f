/*
 * Seed002Test owns the unit tests of the seed-002 profile table: bare conversationId arguments,
 * auth <token>, heartbeat, send-message with tempId, multi-argument outbound events (typing,
 * presence, receipt), reply events (room-joined, message-ack, heartbeat-ack, online-users).
 */
package io.parley.edge.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.command.Command;
import io.parley.edge.command.CommandParser;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.parley.edge.vocab.Seed001Test.json;
import static org.assertj.core.api.Assertions.assertThat;

class Seed002Test {
    private static final Vocabulary V = Vocabularies.SEED_002;
    private final CommandParser parser = new CommandParser(4000);

    Command command(String event, JsonNode... args) {
        Vocabulary.Inbound.Request request = (Vocabulary.Inbound.Request) V.inbound(event, List.of(args));
        CommandParser.Parsed parsed = parser.parse(request.op(), request.data());
        assertThat(parsed).as("%s -> %s", event, parsed).isInstanceOf(CommandParser.Valid.class);
        return ((CommandParser.Valid) parsed).command();
    }

    @Test
    void bareConversationIdsBecomeRoomCommands() {
        assertThat(command("join-room", json("\"conversation-123\""))).isEqualTo(new Command.JoinRoom("conversation-123"));
        assertThat(command("leave-room", json("\"conversation-123\""))).isEqualTo(new Command.LeaveRoom("conversation-123"));
        assertThat(command("typing-start", json("\"c1\""))).isEqualTo(new Command.StartTyping("c1"));
        assertThat(command("typing-stop", json("\"c1\""))).isEqualTo(new Command.StopTyping("c1"));
        assertThat(command("get-online-users", json("\"c1\""))).isEqualTo(new Command.GetOnlineUsers("c1"));
        assertThat(command("join-room", json("{\"conversationId\":\"c2\"}"))).isEqualTo(new Command.JoinRoom("c2"));
        assertThat(command("presence-update", json("\"away\""))).isEqualTo(new Command.UpdatePresence("away", null));
        assertThat(command("heartbeat")).isEqualTo(new Command.Ping());
        assertThat(command("heartbeat", json("1764450000000"))).isEqualTo(new Command.Ping()); // arguments ignored
    }

    @Test
    void authCarriesTheBareTokenToTheAuthOp() {
        Vocabulary.Inbound.Request auth = (Vocabulary.Inbound.Request) V.inbound("auth", List.of(json("\"eyJ.x.y\"")));
        assertThat(auth.op()).isEqualTo(Seed002.AUTH_OP);
        assertThat(auth.data().path("token").asText()).isEqualTo("eyJ.x.y");
    }

    @Test
    void refreshCarriesTheTokenToTheRefreshOp() {
        for (JsonNode arg : List.of(json("\"eyJ.a.b\""), json("{\"token\":\"eyJ.a.b\"}"))) {
            Vocabulary.Inbound.Request refresh = (Vocabulary.Inbound.Request) V.inbound("refresh", List.of(arg));
            assertThat(parser.parse(refresh.op(), refresh.data())).isEqualTo(new CommandParser.Valid(new Command.Authenticate("eyJ.a.b")));
        }
        Vocabulary.Inbound.Request auth = (Vocabulary.Inbound.Request) V.inbound("auth", List.of(json("\"eyJ.x.y\"")));
        assertThat(parser.parse(auth.op(), auth.data())).isEqualTo(new CommandParser.Valid(new Command.Authenticate("eyJ.x.y")));
        Vocabulary.Inbound.Request empty = (Vocabulary.Inbound.Request) V.inbound("auth", List.of());
        assertThat(((CommandParser.Invalid) parser.parse(empty.op(), empty.data())).error().code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
    }

    @Test
    void sendMessageMapsTempIdToClientMsgId() {
        Vocabulary.Inbound.Request request = (Vocabulary.Inbound.Request) V.inbound("send-message",
                List.of(json("{\"conversationId\":\"c1\",\"content\":\"hello\",\"tempId\":\"tmp-1\"}")));
        assertThat(request.tag()).isEqualTo(Seed002.SEND);
        Command.SendMessage send = (Command.SendMessage) ((CommandParser.Valid) parser.parse(request.op(), request.data())).command();
        assertThat(send.roomId()).isEqualTo("c1");
        assertThat(send.content()).isEqualTo("hello");
        assertThat(send.clientMsgId()).isEqualTo("tmp-1");
    }

    @Test
    void markReadTakesTheConversationAndMessageIds() {
        Command read = command("mark-read", json("{\"conversationId\":\"c1\",\"messageIds\":[\"m1\",\"m2\"]}"));
        assertThat(read).isEqualTo(new Command.MarkRead("c1", null, List.of("m1", "m2")));
        assertThat(command("mark-read", json("{\"conversationId\":\"c1\",\"seq\":4}"))).isEqualTo(new Command.MarkRead("c1", 4L, null));
    }

    @Test
    void unknownEventsAreRefused() {
        for (String event : List.of("message", "send", "edit-message", "delete-message", "ping")) {
            Vocabulary.Inbound inbound = V.inbound(event, List.of());
            assertThat(inbound).as(event).isInstanceOf(Vocabulary.Inbound.Refused.class);
            assertThat(((Vocabulary.Inbound.Refused) inbound).error().code()).isEqualTo(ErrorCode.UNKNOWN_EVENT);
        }
    }

    @Test
    void outboundEventsHaveSeedNamesAndPositionalArguments() {
        Vocabulary.Emission message = V.outbound("new-message", json(Seed001Test.MESSAGE.replace("\"r1\"", "\"c1\"")));
        assertThat(message.event()).isEqualTo("message-new");
        assertThat(message.args().get(0).path("conversationId").asText()).isEqualTo("c1");
        assertThat(message.args().get(0).path("id").asText()).isEqualTo("m1");
        assertThat(message.args().get(0).path("content").asText()).isEqualTo("hi");
        assertThat(message.args().get(0).path("senderId").asText()).isEqualTo("alice");

        assertThat(V.outbound("user-typing", json("{\"roomId\":\"c1\",\"userId\":\"u1\"}")))
                .isEqualTo(new Vocabulary.Emission("typing", List.of(json("\"u1\""), json("\"c1\""))));
        assertThat(V.outbound("user-stopped-typing", json("{\"roomId\":\"c1\",\"userId\":\"u1\"}")))
                .isEqualTo(new Vocabulary.Emission("typing-stop", List.of(json("\"u1\""), json("\"c1\""))));
        assertThat(V.outbound("presence-update", json("{\"roomId\":\"c1\",\"userId\":\"u1\",\"status\":\"offline\",\"lastSeen\":5}")))
                .isEqualTo(new Vocabulary.Emission("presence", List.of(json("\"u1\""), json("\"offline\""))));
        // a custom-text-only diff has no status: seed 002 has nothing to show for it
        assertThat(V.outbound("presence-update", json("{\"roomId\":\"c1\",\"userId\":\"u1\",\"customStatus\":\"x\"}"))).isNull();
        assertThat(V.outbound("messages-read", json("{\"roomId\":\"c1\",\"userId\":\"u2\",\"messageIds\":[\"m1\",\"m2\"]}")))
                .isEqualTo(new Vocabulary.Emission("receipt", List.of(json("\"m2\""), json("\"u2\""), json("\"seen\""))));
        assertThat(V.outbound("online-users", json("[\"u1\"]"))).isNull();
    }

    @Test
    void repliesBecomeSeedEvents() {
        assertThat(V.reply(Seed002.JOIN, ServerReply.ok("join.", json("{\"roomId\":\"c1\",\"seq\":2}"))))
                .containsExactly(new Vocabulary.Emission("room-joined", List.of(json("{\"conversationId\":\"c1\"}"))));
        assertThat(V.reply(Seed002.LEAVE, ServerReply.ok(null, json("{\"roomId\":\"c1\",\"seq\":2}"))))
                .containsExactly(new Vocabulary.Emission("room-left", List.of(json("{\"conversationId\":\"c1\"}"))));
        assertThat(V.reply(Seed002.HEARTBEAT, ServerReply.ok(null, null)))
                .containsExactly(new Vocabulary.Emission("heartbeat-ack", List.of()));
        assertThat(V.reply(Seed002.SEND, ServerReply.ok(null, json("{\"id\":\"m9\",\"roomId\":\"c1\",\"content\":\"x\",\"seq\":7,\"clientMsgId\":\"tmp-1\"}"))))
                .containsExactly(new Vocabulary.Emission("message-ack", List.of(json("\"tmp-1\""), json("\"m9\""))));
        assertThat(V.reply(Seed002.ONLINE, ServerReply.ok(null, json("{\"roomId\":\"c1\",\"users\":[{\"userId\":\"u1\",\"status\":\"online\"}]}"))))
                .containsExactly(new Vocabulary.Emission("online-users", List.of(json("{\"conversationId\":\"c1\",\"users\":[\"u1\"]}"))));
        // errors: no seed event, so the edge sends Parley's "error" {code, message} (or the ack)
        assertThat(V.reply(Seed002.JOIN, ServerReply.error(null, ErrorBody.of(ErrorCode.AUTHORIZATION_FAILED, "no")))).isEmpty();
    }
}
