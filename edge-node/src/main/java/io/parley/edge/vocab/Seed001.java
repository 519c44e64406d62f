/*
 * Seed001 owns the vocabulary profile "seed-001": the documented Socket.IO service of
 * ../shared/seeds/001 (its useWebSocket hook and WebSocketEvent names, read as the kebab-case of
 * the enum names: join-room {room}, leave-room {room}, message {from, room, to, content, type},
 * typing-start/-stop {room}, presence-update <status>, ping -> pong, room-joined / room-left /
 * room-error, message, typing-start/-stop TypingIndicator, presence-update, error), as one table.
 */
package io.parley.edge.vocab;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.AuthProtocol;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.command.CommandParser;

import java.util.List;
import java.util.Map;

import static io.parley.edge.vocab.TableVocabulary.object;
import static io.parley.edge.vocab.TableVocabulary.only;
import static io.parley.edge.vocab.TableVocabulary.replyData;

/** The seed-001 table. */
final class Seed001 {
    static final String JOIN = "join";
    static final String LEAVE = "leave";
    static final String PING = "ping";

    private Seed001() {}

    static TableVocabulary build(int index) {
        Map<String, String> room = Map.of("room", "roomId");
        return TableVocabulary.builder("seed-001", index)
                // client -> server
                .in("join-room", new TableVocabulary.In(Protocol.JOIN_ROOM, "roomId", room, Map.of(), JOIN))
                .in("leave-room", new TableVocabulary.In(Protocol.LEAVE_ROOM, "roomId", room, Map.of(), LEAVE))
                .in("message", new TableVocabulary.In(Protocol.SEND_MESSAGE, null,
                        Map.of("room", "roomId", "content", Vocabularies.CONTENT, "type", "messageType"),
                        Map.of("to", ErrorBody.of(ErrorCode.INVALID_ROOM,
                                "messages to one socket ('to') are not supported: send to a room you joined")),
                        null))
                .in("typing-start", new TableVocabulary.In(Protocol.TYPING_START, "roomId", room, Map.of(), null))
                .in("typing-stop", new TableVocabulary.In(Protocol.TYPING_STOP, "roomId", room, Map.of(), null))
                .in("presence-update", new TableVocabulary.In(Protocol.UPDATE_PRESENCE, "status",
                        Map.of("status", "status", "customStatus", "customStatus"), Map.of(), null))
                .in("ping", new TableVocabulary.In(CommandParser.PING, null, Map.of(), Map.of(), PING))
                // Parley's addition: renew the token on an open connection ("refresh tokens before they expire")
                .in("refresh", new TableVocabulary.In(AuthProtocol.REFRESH, "token", Map.of("token", "token"), Map.of(), null))
                // server -> client
                .out(Protocol.NEW_MESSAGE, "message", object("from", "userId", "room", "roomId",
                        "type", "messageType|=text", "timestamp", "createdAt"))
                .out(Protocol.USER_TYPING, "typing-start", only("userId", "userId", "username", "username", "room", "roomId", "isTyping", "=true"))
                .out(Protocol.USER_STOPPED_TYPING, "typing-stop", only("userId", "userId", "room", "roomId", "isTyping", "=false"))
                .out(Protocol.PRESENCE_UPDATE, "presence-update", object("room", "roomId"))
                // replies
                .reply(JOIN, reply -> List.of(reply.ok()
                        ? new Vocabulary.Emission("room-joined", List.of(object("room", "roomId", "success", "=true").from(replyData(reply))))
                        : roomError(reply)))
                .reply(LEAVE, reply -> List.of(reply.ok()
                        ? new Vocabulary.Emission("room-left", List.of(object("room", "roomId", "success", "=true").from(replyData(reply))))
                        : roomError(reply)))
                .reply(PING, reply -> reply.ok() ? List.of(new Vocabulary.Emission("pong", List.of())) : List.of())
                .build();
    }

    /** room-error: WebSocketError {code, message}. */
    private static Vocabulary.Emission roomError(ServerReply reply) {
        return new Vocabulary.Emission("room-error", List.of(Json.tree(reply.error())));
    }
}
