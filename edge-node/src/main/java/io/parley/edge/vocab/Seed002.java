/*
 * Seed002 owns the vocabulary profile "seed-002": the Telegram-like gateway of ../shared/seeds/002
 * (auth <token> first, join-room / leave-room / typing-start / typing-stop / get-online-users with
 * a bare conversationId, presence-update <status>, heartbeat -> heartbeat-ack; room-joined /
 * room-left {conversationId}, message-new, message-ack (tempId, messageId), typing (userId,
 * conversationId), typing-stop (userId, conversationId), presence (userId, status), receipt
 * (messageId, userId, type), online-users {conversationId, users}) as one table. Its
 * send-message {conversationId, content, tempId} and mark-read are Parley's additions: the seed
 * sends messages over its REST service.
 */
package io.parley.edge.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.AuthProtocol;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.command.CommandParser;

import java.util.List;
import java.util.Map;

import static io.parley.edge.vocab.TableVocabulary.constant;
import static io.parley.edge.vocab.TableVocabulary.field;
import static io.parley.edge.vocab.TableVocabulary.last;
import static io.parley.edge.vocab.TableVocabulary.object;
import static io.parley.edge.vocab.TableVocabulary.only;
import static io.parley.edge.vocab.TableVocabulary.replyData;

/** The seed-002 table. */
final class Seed002 {
    /** The op of first-message authentication (the auth mechanism's, not a room command). */
    static final String AUTH_OP = AuthProtocol.AUTH;
    static final String JOIN = "join";
    static final String LEAVE = "leave";
    static final String HEARTBEAT = "heartbeat";
    static final String ONLINE = "online";
    static final String SEND = "send";

    private Seed002() {}

    static TableVocabulary build(int index) {
        Map<String, String> conversation = Map.of("conversationId", "roomId");
        return TableVocabulary.builder("seed-002", index)
                // client -> server
                .in("auth", new TableVocabulary.In(AUTH_OP, "token", Map.of("token", "token"), Map.of(), null))
                // Parley's addition: renew the token on an open connection (the seed names no event for it)
                .in("refresh", new TableVocabulary.In(AuthProtocol.REFRESH, "token", Map.of("token", "token"), Map.of(), null))
                .in("join-room", new TableVocabulary.In(Protocol.JOIN_ROOM, "roomId", conversation, Map.of(), JOIN))
                .in("leave-room", new TableVocabulary.In(Protocol.LEAVE_ROOM, "roomId", conversation, Map.of(), LEAVE))
                .in("typing-start", new TableVocabulary.In(Protocol.TYPING_START, "roomId", conversation, Map.of(), null))
                .in("typing-stop", new TableVocabulary.In(Protocol.TYPING_STOP, "roomId", conversation, Map.of(), null))
                .in("presence-update", new TableVocabulary.In(Protocol.UPDATE_PRESENCE, "status",
                        Map.of("status", "status"), Map.of(), null))
                .in("heartbeat", new TableVocabulary.In(CommandParser.PING, null, Map.of(), Map.of(), HEARTBEAT))
                .in("get-online-users", new TableVocabulary.In(Protocol.GET_ONLINE_USERS, "roomId", conversation, Map.of(), ONLINE))
                .in("send-message", new TableVocabulary.In(Protocol.SEND_MESSAGE, null,
                        Map.of("conversationId", "roomId", "content", Vocabularies.CONTENT, "tempId", "clientMsgId",
                                "type", "messageType", "replyTo", "replyTo"), Map.of(), SEND))
                .in("mark-read", new TableVocabulary.In(Protocol.MARK_READ, null,
                        Map.of("conversationId", "roomId", "messageIds", "messageIds", "seq", "seq"), Map.of(), null))
                // server -> client
                .out(Protocol.NEW_MESSAGE, "message-new", object("conversationId", "roomId", "senderId", "userId"))
                .out(Protocol.USER_TYPING, "typing", field("userId"), field("roomId"))
                .out(Protocol.USER_STOPPED_TYPING, "typing-stop", field("userId"), field("roomId"))
                .outWhen(Protocol.PRESENCE_UPDATE, "presence", data -> data.hasNonNull("status"), field("userId"), field("status"))
                .outWhen("messages-read", "receipt", data -> data.path("messageIds").isArray() && !data.path("messageIds").isEmpty(),
                        last("messageIds"), field("userId"), constant("seen"))
                .out(Protocol.USER_JOINED, Protocol.USER_JOINED, object("conversationId", "roomId"))
                .out(Protocol.USER_LEFT, Protocol.USER_LEFT, object("conversationId", "roomId"))
                // seed 002's online-users is the answer to get-online-users, not Parley's connect-time list
                .hide(Protocol.ONLINE_USERS)
                // replies
                .reply(JOIN, reply -> reply.ok()
                        ? List.of(new Vocabulary.Emission("room-joined", List.of(only("conversationId", "roomId").from(replyData(reply)))))
                        : List.of())
                .reply(LEAVE, reply -> reply.ok()
                        ? List.of(new Vocabulary.Emission("room-left", List.of(only("conversationId", "roomId").from(replyData(reply)))))
                        : List.of())
                .reply(HEARTBEAT, reply -> reply.ok() ? List.of(new Vocabulary.Emission("heartbeat-ack", List.of())) : List.of())
                .reply(ONLINE, reply -> reply.ok() ? List.of(onlineUsers(replyData(reply))) : List.of())
                .reply(SEND, reply -> reply.ok()
                        ? List.of(new Vocabulary.Emission("message-ack", List.of(
                                field("clientMsgId").from(replyData(reply)), field("id").from(replyData(reply)))))
                        : List.of())
                .build();
    }

    /** online-users {conversationId, users: [userId, ...]} from Parley's {roomId, users: [{userId, status, ...}]}. */
    private static Vocabulary.Emission onlineUsers(JsonNode data) {
        ArrayNode users = Json.MAPPER.createArrayNode();
        for (JsonNode user : data.path("users")) {
            JsonNode id = user.isTextual() ? user : user.get("userId");
            if (id != null && id.isTextual()) {
                users.add(id);
            }
        }
        var body = Json.MAPPER.createObjectNode();
        body.set("conversationId", data.hasNonNull("roomId") ? data.get("roomId") : NullNode.getInstance());
        body.set("users", users);
        return new Vocabulary.Emission("online-users", List.of(body));
    }
}
