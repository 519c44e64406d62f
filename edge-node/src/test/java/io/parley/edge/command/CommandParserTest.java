/*
 * CommandParserTest owns the proof that every request is validated before it can be published:
 * each op's valid form, and each error code the parser gives (UNKNOWN_EVENT, INVALID_ROOM,
 * INVALID_MESSAGE).
 */
package io.parley.edge.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommandParserTest {
    private final CommandParser parser = new CommandParser(10);

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private ErrorCode errorOf(String op, String data) {
        CommandParser.Parsed parsed = parser.parse(op, data == null ? null : json(data));
        assertThat(parsed).isInstanceOf(CommandParser.Invalid.class);
        return ((CommandParser.Invalid) parsed).error().code();
    }

    private Command commandOf(String op, String data) {
        CommandParser.Parsed parsed = parser.parse(op, data == null ? null : json(data));
        assertThat(parsed).isInstanceOf(CommandParser.Valid.class);
        return ((CommandParser.Valid) parsed).command();
    }

    @Test
    void joinRoomWithLastSeqAndResume() {
        assertThat(commandOf("join-room", "{\"roomId\":\"general\",\"lastSeq\":41}"))
                .isEqualTo(new Command.JoinRoom("general", 41L));
        assertThat(commandOf("join-room", "{\"roomId\":\"general\",\"lastSeq\":null}"))
                .isEqualTo(new Command.JoinRoom("general"));
        assertThat(errorOf("join-room", "{\"roomId\":\"general\",\"lastSeq\":-1}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("join-room", "{\"roomId\":\"general\",\"lastSeq\":\"4\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("join-room", "{\"roomId\":\"general\",\"lastSeq\":1.5}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        Command resume = commandOf("resume", "{\"rooms\":{\"b\":3,\"a\":0}}");
        assertThat(resume).isInstanceOf(Command.Resume.class);
        assertThat(((Command.Resume) resume).rooms()).containsExactly(java.util.Map.entry("b", 3L), java.util.Map.entry("a", 0L));
        assertThat(errorOf("resume", "{\"rooms\":{}}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("resume", "{\"rooms\":[\"a\"]}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("resume", "{\"rooms\":{\"a\":-2}}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("resume", "{\"rooms\":{\"bad room\":1}}")).isEqualTo(ErrorCode.INVALID_ROOM);
        StringBuilder many = new StringBuilder("{\"rooms\":{");
        for (int i = 0; i <= CommandParser.MAX_RESUME_ROOMS; i++) {
            many.append(i == 0 ? "" : ",").append("\"r").append(i).append("\":0");
        }
        assertThat(errorOf("resume", many.append("}}").toString())).isEqualTo(ErrorCode.INVALID_MESSAGE);
    }

    @Test
    void validCommands() {
        assertThat(commandOf("join-room", "{\"roomId\":\"general\"}")).isEqualTo(new Command.JoinRoom("general"));
        assertThat(commandOf("leave-room", "{\"roomId\":\"a:b.c-d_e\"}")).isEqualTo(new Command.LeaveRoom("a:b.c-d_e"));
        assertThat(commandOf("typing-start", "{\"roomId\":\"general\"}")).isEqualTo(new Command.StartTyping("general"));
        assertThat(commandOf("typing-stop", "{\"roomId\":\"general\"}")).isEqualTo(new Command.StopTyping("general"));
        assertThat(commandOf("mark-read", "{\"roomId\":\"general\",\"seq\":12}")).isEqualTo(new Command.MarkRead("general", 12));
        assertThat(errorOf("mark-read", "{\"roomId\":\"general\",\"seq\":0}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "{\"roomId\":\"general\",\"seq\":\"7\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "{\"roomId\":\"general\",\"seq\":1.5}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "{\"roomId\":\"general\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "{\"seq\":3}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(commandOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":\"c-1\",\"extra\":1}"))
                .isEqualTo(new Command.SendMessage("r", "hi", "text", "c-1", null));
        assertThat(commandOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"replyTo\":\"01J0000000000000000000000A\"}"))
                .isEqualTo(new Command.SendMessage("r", "hi", "text", null, "01J0000000000000000000000A"));
        assertThat(commandOf("ping", null)).isEqualTo(new Command.Ping());
    }

    @Test
    void seed004sSendMessageHasContentAndAMessageType() {
        assertThat(commandOf("send-message", "{\"roomId\":\"r\",\"content\":\"pic.png\",\"messageType\":\"image\"}"))
                .isEqualTo(new Command.SendMessage("r", "pic.png", "image", null, null));
        assertThat(commandOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"messageType\":null}"))
                .isEqualTo(new Command.SendMessage("r", "hi", "text", null, null));
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"messageType\":\"system\"}"))
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"messageType\":3}"))
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
        // The old field name is refused with a message that names the new one.
        CommandParser.Parsed old = parser.parse("send-message", json("{\"roomId\":\"r\",\"text\":\"hi\"}"));
        assertThat(((CommandParser.Invalid) old).error().message()).contains("'content'");
    }

    @Test
    void markReadTakesSeed004sBareArrayOfMessageIdsOrIdsWithARoomOrASeq() {
        assertThat(commandOf("mark-read", "[\"m1\",\"m2\",\"m1\"]"))
                .isEqualTo(new Command.MarkRead(null, null, java.util.List.of("m1", "m2")));
        assertThat(commandOf("mark-read", "{\"roomId\":\"general\",\"messageIds\":[\"m1\"]}"))
                .isEqualTo(new Command.MarkRead("general", null, java.util.List.of("m1")));
        assertThat(commandOf("mark-read", "{\"messageIds\":[\"m1\"]}"))
                .isEqualTo(new Command.MarkRead(null, null, java.util.List.of("m1")));
        assertThat(errorOf("mark-read", "[]")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "[1]")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "[\"has space\"]")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "[" + "\"m\",".repeat(100) + "\"m\"]")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "{\"roomId\":\"general\",\"seq\":2,\"messageIds\":[\"m1\"]}"))
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("mark-read", "{\"roomId\":\"bad room\",\"messageIds\":[\"m1\"]}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("mark-read", "{\"messageIds\":\"m1\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
    }

    @Test
    void unknownOpIsUnknownEvent() {
        assertThat(errorOf("delete-everything", "{}")).isEqualTo(ErrorCode.UNKNOWN_EVENT);
        assertThat(errorOf("", null)).isEqualTo(ErrorCode.UNKNOWN_EVENT);
    }

    @Test
    void missingOpOrNonObjectDataIsInvalidMessage() {
        assertThat(errorOf(null, "{}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("join-room", "[1,2]")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "\"text\"")).isEqualTo(ErrorCode.INVALID_MESSAGE);
    }

    @Test
    void badRoomIdIsInvalidRoom() {
        assertThat(errorOf("join-room", null)).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("join-room", "{}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("join-room", "{\"roomId\":\"\"}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("join-room", "{\"roomId\":\"has space\"}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("join-room", "{\"roomId\":42}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("typing-start", "{}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("typing-stop", "{\"roomId\":\"bad room\"}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("typing-start", "\"general\"")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("leave-room", "{\"roomId\":\"" + "x".repeat(129) + "\"}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("send-message", "{\"roomId\":\"a/b\",\"content\":\"hi\"}")).isEqualTo(ErrorCode.INVALID_ROOM);
    }

    @Test
    void emptyOrTooLongOrNonTextMessageIsInvalidMessage() {
        assertThat(errorOf("send-message", "{\"roomId\":\"r\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"   \"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":7}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"01234567890\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":\"has space\"}"))
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":5}"))
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"hi\",\"replyTo\":{}}"))
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
    }

    @Test
    void lengthIsCountedInCodePoints() {
        String tenEmoji = "\uD83D\uDE00".repeat(10); // 20 UTF-16 chars, 10 code points
        assertThat(commandOf("send-message", "{\"roomId\":\"r\",\"content\":\"" + tenEmoji + "\"}"))
                .isEqualTo(new Command.SendMessage("r", tenEmoji, "text", null, null));
        assertThat(errorOf("send-message", "{\"roomId\":\"r\",\"content\":\"" + tenEmoji + "x\"}"))
                .isEqualTo(ErrorCode.INVALID_MESSAGE);
    }

    @Test
    void unknownOpIsNotEchoedVerbatim() {
        CommandParser.Parsed parsed = parser.parse("x".repeat(500) + "\u0000", null);
        String message = ((CommandParser.Invalid) parsed).error().message();
        assertThat(message.length()).isLessThan(80);
        assertThat(message).doesNotContain("\u0000");
    }

    @Test
    void presenceOps() {
        assertThat(commandOf("update-presence", "{\"status\":\"dnd\",\"customStatus\":\"focus\"}"))
                .isEqualTo(new Command.UpdatePresence("dnd", "focus"));
        assertThat(commandOf("update-presence", "{\"customStatus\":\"\"}")).isEqualTo(new Command.UpdatePresence(null, ""));
        assertThat(errorOf("update-presence", "{\"status\":\"offline\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("update-presence", "{}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("update-presence", "{\"customStatus\":\"" + "x".repeat(129) + "\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(commandOf("get-online-users", "{\"roomId\":\"general\"}")).isEqualTo(new Command.GetOnlineUsers("general"));
        assertThat(errorOf("get-online-users", "{\"roomId\":\"a b\"}")).isEqualTo(ErrorCode.INVALID_ROOM);
    }

    @Test
    void createRoomAndAddMember() {
        assertThat(commandOf("create-room", "{\"roomId\":\"team\",\"type\":\"private\",\"name\":\"Team\",\"maxUsers\":5,\"members\":[\"bob\"]}"))
                .isEqualTo(new Command.CreateRoom("team", "Team", null, "private", 5, java.util.List.of("bob")));
        assertThat(commandOf("create-room", "{\"roomId\":\"open\"}"))
                .isEqualTo(new Command.CreateRoom("open", null, null, "public", null, java.util.List.of()));
        assertThat(errorOf("create-room", "{\"roomId\":\"a b\"}")).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(errorOf("create-room", "{\"roomId\":\"r\",\"type\":\"secret\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("create-room", "{\"roomId\":\"r\",\"maxUsers\":0}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("create-room", "{\"roomId\":\"r\",\"members\":\"bob\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("create-room", "{\"roomId\":\"r\",\"members\":[1]}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("create-room", "{\"roomId\":\"r\",\"name\":\"" + "x".repeat(129) + "\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(commandOf("add-member", "{\"roomId\":\"team\",\"userId\":\"carol\"}")).isEqualTo(new Command.AddMember("team", "carol"));
        assertThat(errorOf("add-member", "{\"roomId\":\"team\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(commandOf("set-role", "{\"roomId\":\"team\",\"userId\":\"bob\",\"role\":\"admin\"}"))
                .isEqualTo(new Command.SetRole("team", "bob", "admin"));
        assertThat(errorOf("set-role", "{\"roomId\":\"team\",\"userId\":\"bob\",\"role\":\"owner\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("set-role", "{\"roomId\":\"team\",\"role\":\"admin\"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(errorOf("add-member", "{\"roomId\":\"team\",\"userId\":\" \"}")).isEqualTo(ErrorCode.INVALID_MESSAGE);
    }

    @Test
    void authAndRefreshCarryAToken() {
        assertThat(commandOf("auth", "{\"token\":\"a.b.c\"}")).isEqualTo(new Command.Authenticate("a.b.c"));
        assertThat(commandOf("refresh", "{\"token\":\"a.b.c\"}")).isEqualTo(new Command.Authenticate("a.b.c"));
        assertThat(errorOf("auth", "{}")).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(errorOf("refresh", "{\"token\":42}")).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(errorOf("auth", null)).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
    }
}
