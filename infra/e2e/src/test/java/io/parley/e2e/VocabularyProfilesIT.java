/*
 * VocabularyProfilesIT owns the end-to-end proof that the client flows of seeds 001 and 002 work
 * through their vocabulary profiles with the stock socket.io-client on the real stack: the
 * profile chosen at the handshake (CONNECT auth {profile} or ?profile=), the seed's event names,
 * payload fields and multi-argument events, across both edge nodes, next to a client of Parley's
 * default vocabulary in the same room, and clients of all three vocabularies in one room (one
 * command model behind every vocabulary; one encoding per profile per node). Tokens are
 * minted by npm jsonwebtoken (NodeJwt), not by Parley.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class VocabularyProfilesIT {

    /** A token minted by npm jsonwebtoken (HS256, no kid), with a display name claim. */
    private static String jwt(String userId) {
        return NodeJwt.hs256(ParleyCluster.SECRET, Map.of("sub", userId, "name", "Name of " + userId), 3600);
    }

    private static List<String> userIds(JsonNode online) {
        List<String> ids = new java.util.ArrayList<>();
        online.path("users").forEach(user -> ids.add(user.asText()));
        return ids;
    }

    private static void assertSuccess(JsonNode ack) {
        assertThat(ack.path("success").asBoolean()).as("ack %s", ack).isTrue();
    }

    @Test
    void seed001ClientFlow(ParleyCluster parley) {
        String room = TestStack.uniqueName("s1-room");
        String alice = TestStack.uniqueName("s1-alice");
        String bob = TestStack.uniqueName("s1-bob");
        String carol = TestStack.uniqueName("s4-carol");
        // alice names the profile in CONNECT's auth, bob in the URL's query (io("http://host?profile=seed-001"));
        // carol speaks Parley's default.
        try (NodeSioClient a = NodeSioClient.start(parley.edgeHttpUrl(1), jwt(alice), List.of("websocket"),
                Map.of("profile", "seed-001", "userId", "mallory"), Map.of());
             NodeSioClient b = NodeSioClient.start(parley.edgeHttpUrl(2) + "/?profile=seed-001", jwt(bob), null,
                     Map.of(), Map.of());
             NodeSioClient c = NodeSioClient.start(parley.edgeHttpUrl(2), jwt(carol), List.of("websocket"))) {
            a.next("connect");
            b.next("connect");
            c.next("connect");

            // joinRoom({room}).then(...): the ack, and room-joined
            JsonNode joined = a.request("join-room", Map.of("room", room, "metadata", Map.of("device", "test")));
            assertSuccess(joined);
            JsonNode roomJoined = a.nextEvent("room-joined").path("args").path(0);
            assertThat(roomJoined.path("room").asText()).isEqualTo(room);
            assertThat(roomJoined.path("success").asBoolean()).isTrue();
            b.emit("join-room", Map.of("room", room));
            assertThat(b.nextEvent("room-joined").path("args").path(0).path("room").asText()).isEqualTo(room);
            assertSuccess(c.request("join-room", room));

            // sendMessage({from, room, content, type}): the sender is the token's, never the claimed 'from'
            a.emit("message", Map.of("from", "mallory", "room", room, "content", "Hello!", "type", "text"));
            JsonNode message = b.nextEvent("message", args -> args.path(0).path("content").asText().equals("Hello!"))
                    .path("args").path(0);
            assertThat(message.path("from").asText()).isEqualTo(alice);
            assertThat(message.path("room").asText()).isEqualTo(room);
            assertThat(message.path("type").asText()).isEqualTo("text");
            assertThat(message.path("id").asText()).isNotBlank();
            // the same message, to a default-vocabulary client of the same room
            JsonNode defaultCopy = c.nextEvent("new-message").path("args").path(0);
            assertThat(defaultCopy.path("roomId").asText()).isEqualTo(room);
            assertThat(defaultCopy.path("seq").asLong()).isEqualTo(message.path("seq").asLong());
            assertThat(defaultCopy.path("id").asText()).isEqualTo(message.path("id").asText());
            assertThat(defaultCopy.path("content").asText()).isEqualTo("Hello!");
            assertThat(defaultCopy.path("user").path("id").asText()).isEqualTo(alice);
            assertThat(message.path("user").path("username").asText()).isEqualTo("Name of " + alice);

            // typing-start / typing-stop {room} -> TypingIndicator {userId, room, isTyping}
            b.emit("typing-start", Map.of("room", room));
            JsonNode typing = a.nextEvent("typing-start").path("args").path(0);
            assertThat(typing.path("userId").asText()).isEqualTo(bob);
            assertThat(typing.path("room").asText()).isEqualTo(room);
            assertThat(typing.path("isTyping").asBoolean()).isTrue();
            b.emit("typing-stop", Map.of("room", room));
            JsonNode stopped = a.nextEvent("typing-stop").path("args").path(0);
            assertThat(stopped.path("userId").asText()).isEqualTo(bob);
            assertThat(stopped.path("isTyping").asBoolean(true)).isFalse();

            // presence-update <status> -> presence-update {userId, status}
            b.emit("presence-update", "away");
            JsonNode presence = a.nextEvent("presence-update",
                    args -> args.path(0).path("userId").asText().equals(bob) && args.path(0).path("status").asText().equals("away"))
                    .path("args").path(0);
            assertThat(presence.path("room").asText()).isEqualTo(room);

            // ping -> pong
            a.emit("ping");
            assertThat(a.nextEvent("pong").path("args").isEmpty()).isTrue();

            // what the seed expects and Parley lacks, and events unknown to the profile: clear errors
            JsonNode direct = a.request("message", Map.of("to", "some-socket-id", "content", "psst"));
            assertThat(direct.path("success").asBoolean()).isFalse();
            assertThat(direct.path("code").asText()).isEqualTo("INVALID_ROOM");
            a.emit("send-message", Map.of("roomId", room, "content", "default name"));
            assertThat(a.nextEvent("error").path("args").path(0).path("code").asText()).isEqualTo("UNKNOWN_EVENT");

            // leaveRoom({room}) -> room-left
            b.emit("leave-room", Map.of("room", room));
            assertThat(b.nextEvent("room-left").path("args").path(0).path("room").asText()).isEqualTo(room);
        }
    }

    @Test
    void clientsOfEveryVocabularyShareOneRoom(ParleyCluster parley) {
        String room = TestStack.uniqueName("mixed-room");
        String uma = TestStack.uniqueName("s1-uma");
        String vic = TestStack.uniqueName("s2-vic");
        String wes = TestStack.uniqueName("s2-wes");
        String xia = TestStack.uniqueName("s4-xia");
        // two seed-002 sockets on the same edge node: one encoding of each event serves both
        try (NodeSioClient u = NodeSioClient.start(parley.edgeHttpUrl(1), jwt(uma), List.of("websocket"), Map.of("profile", "seed-001"), Map.of());
             NodeSioClient v = NodeSioClient.start(parley.edgeHttpUrl(2), jwt(vic), List.of("websocket"), Map.of("profile", "seed-002"), Map.of());
             NodeSioClient w = NodeSioClient.start(parley.edgeHttpUrl(2), jwt(wes), List.of("websocket"), Map.of("profile", "seed-002"), Map.of());
             NodeSioClient x = NodeSioClient.start(parley.edgeHttpUrl(2), jwt(xia), List.of("websocket"))) {
            for (NodeSioClient client : List.of(u, v, w, x)) {
                client.next("connect");
            }
            assertSuccess(u.request("join-room", Map.of("room", room)));
            assertSuccess(v.request("join-room", room));
            assertSuccess(w.request("join-room", Map.of("conversationId", room)));
            assertSuccess(x.request("join-room", room));

            u.emit("message", Map.of("room", room, "content", "one model", "type", "text"));
            JsonNode forVic = v.nextEvent("message-new").path("args");
            JsonNode forWes = w.nextEvent("message-new").path("args");
            assertThat(forVic).isEqualTo(forWes);
            assertThat(forVic.path(0).path("conversationId").asText()).isEqualTo(room);
            assertThat(forVic.path(0).path("senderId").asText()).isEqualTo(uma);
            JsonNode forXia = x.nextEvent("new-message").path("args").path(0);
            assertThat(forXia.path("content").asText()).isEqualTo("one model");
            assertThat(forXia.path("id").asText()).isEqualTo(forVic.path(0).path("id").asText());

            v.emit("typing-start", room);
            JsonNode typing = u.nextEvent("typing-start").path("args").path(0);
            assertThat(typing.path("userId").asText()).isEqualTo(vic);
            assertThat(w.nextEvent("typing").path("args")).containsExactly(
                    TextNode.valueOf(vic), TextNode.valueOf(room));
            assertThat(x.nextEvent("user-typing").path("args").path(0).path("userId").asText()).isEqualTo(vic);
        }
    }

    @Test
    void anUnknownProfileIsAConnectError(ParleyCluster parley) {
        try (NodeSioClient client = NodeSioClient.start(parley.edgeHttpUrl(1), jwt(TestStack.uniqueName("s9")),
                List.of("websocket"), Map.of("profile", "seed-999"), Map.of())) {
            JsonNode error = client.next("connect_error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("INVALID_MESSAGE");
            assertThat(error.path("data").path("message").asText()).contains("seed-001", "seed-002");
        }
    }

    @Test
    void seed002ClientsThatDoNotAuthenticateInTimeAreDisconnected(ParleyCluster parley) {
        try (NodeSioClient silent = NodeSioClient.start(parley.edgeHttpUrl(2), null, List.of("websocket"),
                Map.of("profile", "seed-002"), Map.of())) {
            silent.next("connect");
            JsonNode error = silent.nextEvent("error").path("args").path(0);
            assertThat(error.path("code").asText()).isEqualTo("AUTH_TIMEOUT");
            assertThat(silent.next("disconnect").path("reason").asText()).isEqualTo("io server disconnect");
        }
    }

    @Test
    void seed002ClientFlow(ParleyCluster parley) {
        String conversation = TestStack.uniqueName("s2-conv");
        String erin = TestStack.uniqueName("s2-erin");
        String frank = TestStack.uniqueName("s2-frank");
        // io(url) with no token: the profile on the handshake's query, the token in the first message
        try (NodeSioClient e = NodeSioClient.start(parley.edgeHttpUrl(1), null, List.of("websocket"),
                Map.of(), Map.of("profile", "seed-002"));
             NodeSioClient f = NodeSioClient.start(parley.edgeHttpUrl(2), null, null,
                     Map.of(), Map.of("profile", "seed-002"))) {
            e.next("connect");
            f.next("connect");

            // before auth nothing else is allowed
            e.emit("join-room", conversation);
            assertThat(e.nextEvent("error").path("args").path(0).path("code").asText()).isEqualTo("AUTHENTICATION_FAILED");

            // socket.emit('auth', jwtToken) -> auth-success {userId}
            e.emit("auth", jwt(erin));
            assertThat(e.nextEvent("auth-success").path("args").path(0).path("userId").asText()).isEqualTo(erin);
            f.emit("auth", jwt(frank));
            assertThat(f.nextEvent("auth-success").path("args").path(0).path("userId").asText()).isEqualTo(frank);

            // join-room <conversationId> -> room-joined {conversationId}
            e.emit("join-room", conversation);
            assertThat(e.nextEvent("room-joined").path("args").path(0).path("conversationId").asText()).isEqualTo(conversation);
            f.emit("join-room", conversation);
            assertThat(f.nextEvent("room-joined").path("args").path(0).path("conversationId").asText()).isEqualTo(conversation);

            // a message with a tempId -> message-ack (tempId, messageId) to the sender, message-new to the members
            e.emit("send-message", Map.of("conversationId", conversation, "content", "hi frank", "tempId", "tmp-1"));
            JsonNode ack = e.nextEvent("message-ack").path("args");
            assertThat(ack.size()).isEqualTo(2);
            assertThat(ack.path(0).asText()).isEqualTo("tmp-1");
            String messageId = ack.path(1).asText();
            assertThat(messageId).isNotBlank();
            JsonNode received = f.nextEvent("message-new").path("args").path(0);
            assertThat(received.path("id").asText()).isEqualTo(messageId);
            assertThat(received.path("conversationId").asText()).isEqualTo(conversation);
            assertThat(received.path("content").asText()).isEqualTo("hi frank");

            // mark-read {conversationId, messageIds} -> receipt (messageId, userId, "seen") to the members
            f.emit("mark-read", Map.of("conversationId", conversation, "messageIds", List.of(messageId)));
            JsonNode receipt = e.nextEvent("receipt").path("args");
            assertThat(receipt.size()).isEqualTo(3);
            assertThat(receipt.path(0).asText()).isEqualTo(messageId);
            assertThat(receipt.path(1).asText()).isEqualTo(frank);
            assertThat(receipt.path(2).asText()).isEqualTo("seen");

            // typing-start / typing-stop <conversationId> -> typing (userId, conversationId), typing-stop (userId, conversationId)
            f.emit("typing-start", conversation);
            JsonNode typing = e.nextEvent("typing").path("args");
            assertThat(typing.size()).isEqualTo(2);
            assertThat(typing.path(0).asText()).isEqualTo(frank);
            assertThat(typing.path(1).asText()).isEqualTo(conversation);
            f.emit("typing-stop", conversation);
            JsonNode stopped = e.nextEvent("typing-stop").path("args");
            assertThat(stopped.path(0).asText()).isEqualTo(frank);
            assertThat(stopped.path(1).asText()).isEqualTo(conversation);

            // presence-update <status> -> presence (userId, status)
            f.emit("presence-update", "away");
            e.nextEvent("presence", args -> args.path(0).asText().equals(frank) && args.path(1).asText().equals("away"));

            // heartbeat -> heartbeat-ack
            e.emit("heartbeat");
            assertThat(e.nextEvent("heartbeat-ack").path("args").isEmpty()).isTrue();

            // get-online-users <conversationId> -> online-users {conversationId, users: [userId]}; the Redis
            // view is written asynchronously, so ask again until both members are in it (deadline, no sleep)
            JsonNode online = null;
            long deadline = System.nanoTime() + NodeSioClient.PATIENCE.toNanos();
            while (System.nanoTime() < deadline) {
                e.emit("get-online-users", conversation);
                online = e.nextEvent("online-users").path("args").path(0);
                List<String> users = userIds(online);
                if (users.contains(erin) && users.contains(frank)) {
                    break;
                }
            }
            assertThat(online).isNotNull();
            assertThat(online.path("conversationId").asText()).isEqualTo(conversation);
            assertThat(userIds(online)).contains(erin, frank);

            // events the profile does not know
            JsonNode unknown = e.request("message", Map.of("conversationId", conversation, "content", "x"));
            assertThat(unknown.path("code").asText()).isEqualTo("UNKNOWN_EVENT");

            // leave-room <conversationId> -> room-left {conversationId}
            f.emit("leave-room", conversation);
            assertThat(f.nextEvent("room-left").path("args").path(0).path("conversationId").asText()).isEqualTo(conversation);
        }
    }
}
