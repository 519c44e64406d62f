/*
 * Seed004IT owns the end-to-end proof that seed 004's client flow (its useSocket / useChat hooks:
 * ../shared/seeds/004) works unchanged against Parley, driven by the stock socket.io-client from
 * npm on the real stack with both edge nodes: connect (transports: websocket, as the hook),
 * online-users right after, join-room with the bare room id, user-joined / user-online with user
 * objects, typing-start / typing-stop -> user-typing {roomId, userId, username} /
 * user-stopped-typing, send-message {roomId, content} -> new-message with the message object on
 * the other edge node and the same object in the ack, mark-read with a bare array of message ids
 * -> messages-read {userId, messageIds}, leave-room -> user-left, a disconnect -> user-offline, and
 * errors in seed 004's ack shape {success:false, error:<message>} (plus Parley's code). Tokens
 * come from a third-party library (npm jsonwebtoken, no kid); alice's carries the standard
 * claims name and picture, which become her user object; bob's has none (username = user id).
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class Seed004IT {
    private static final List<String> WEBSOCKET = List.of("websocket"); // the seed's useSocket options
    private static final String ALICE_NAME = "Alice Seed";
    private static final String ALICE_PICTURE = "https://img.example/alice.png";

    /** A token from npm jsonwebtoken (no kid), with the given standard claims. */
    private static String token(String sub, String name, String picture) {
        Map<String, Object> claims = new java.util.LinkedHashMap<>();
        claims.put("sub", sub);
        if (name != null) {
            claims.put("name", name);
        }
        if (picture != null) {
            claims.put("picture", picture);
        }
        return NodeJwt.hs256(ParleyCluster.SECRET, claims, 600);
    }

    private static void assertSuccess(JsonNode ack) {
        assertThat(ack.path("success").asBoolean()).as("ack %s", ack).isTrue();
    }

    /** Seed 004's failure ack: {success:false, error:<message string>}, Parley's code beside it. */
    private static void assertFailure(JsonNode ack, String code) {
        assertThat(ack.path("success").asBoolean()).as("ack %s", ack).isFalse();
        assertThat(ack.path("error").isTextual()).as("error is a message: %s", ack).isTrue();
        assertThat(ack.path("error").asText()).isNotBlank();
        assertThat(ack.path("code").asText()).isEqualTo(code);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The first argument of the next {@code event}. */
    private static JsonNode event(NodeSioClient client, String event) {
        return client.nextEvent(event).path("args").path(0);
    }

    /** The next {@code event} whose first argument names {@code userId}. */
    private static JsonNode eventAbout(NodeSioClient client, String event, String userId) {
        return client.next(line -> line.path("type").asText().equals("event") && line.path("event").asText().equals(event)
                && line.path("args").path(0).path("userId").asText().equals(userId)).path("args").path(0);
    }

    private static void assertMessageObject(JsonNode m, String room, String sender, String content, String type) {
        assertMessageObject(m, room, sender, content, type, sender, null);
    }

    private static void assertMessageObject(JsonNode m, String room, String sender, String content, String type,
                                            String username, String avatarUrl) {
        assertThat(m.path("id").asText()).isNotBlank();
        assertThat(m.path("roomId").asText()).isEqualTo(room);
        assertThat(m.path("content").asText()).isEqualTo(content);
        assertThat(m.path("messageType").asText()).isEqualTo(type);
        String createdAt = m.path("createdAt").asText();
        assertThat(createdAt).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"); // Date.toISOString()
        assertThat(Instant.parse(createdAt)).isBefore(Instant.now().plusSeconds(60));
        assertThat(m.path("user").path("id").asText()).isEqualTo(sender);
        assertThat(m.path("user").path("username").asText()).isEqualTo(username); // no name claim: the user id
        assertThat(m.path("user").has("avatarUrl")).isTrue(); // null when the token has no picture, as the seed's server
        if (avatarUrl == null) {
            assertThat(m.path("user").path("avatarUrl").isNull()).isTrue();
        } else {
            assertThat(m.path("user").path("avatarUrl").asText()).isEqualTo(avatarUrl);
        }
        assertThat(m.path("userId").asText()).isEqualTo(sender);
        assertThat(m.path("seq").asLong()).isPositive();
        assertThat(m.has("text")).isFalse();
    }

    @Test
    void seed004sClientFlowWorksUnchangedAcrossBothEdgeNodes(ParleyCluster parley) {
        String room = TestStack.uniqueName("seed4-room");
        String alice = TestStack.uniqueName("seed4-alice");
        String bob = TestStack.uniqueName("seed4-bob");
        String carol = TestStack.uniqueName("seed4-carol");
        try (NodeSioClient a = NodeSioClient.start(parley.edgeHttpUrl(1), token(alice, ALICE_NAME, ALICE_PICTURE), WEBSOCKET);
             NodeSioClient b = NodeSioClient.start(parley.edgeHttpUrl(2), token(bob, null, null), WEBSOCKET)) {
            // connect, then online-users: a bare array of user ids, the user included.
            assertThat(a.next("connect").path("id").asText()).isNotBlank();
            assertThat(strings(event(a, "online-users"))).contains(alice);
            assertThat(b.next("connect").path("id").asText()).isNotBlank();
            assertThat(strings(event(b, "online-users"))).contains(bob);

            // joinRoom(roomId): emit('join-room', roomId, ack) -> {success, data: the room}.
            JsonNode joined = a.request("join-room", room);
            assertSuccess(joined);
            assertThat(joined.path("data").path("id").asText()).isEqualTo(room);
            assertSuccess(b.request("join-room", room));
            assertThat(a.drainSeen()).noneMatch(l -> l.path("event").asText().equals("user-joined")
                    && l.path("args").path(0).path("userId").asText().equals(alice)); // not told of its own join
            JsonNode bobJoined = eventAbout(a, "user-joined", bob);
            assertThat(bobJoined.path("roomId").asText()).isEqualTo(room);
            assertThat(bobJoined.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(bobJoined.path("user").path("username").asText()).isEqualTo(bob);
            assertThat(bobJoined.path("user").has("avatarUrl")).isTrue();
            JsonNode bobOnline = eventAbout(a, "user-online", bob);
            assertThat(bobOnline.path("username").asText()).isEqualTo(bob);

            // startTyping / stopTyping: emit('typing-start', roomId), no ack.
            a.emit("typing-start", room);
            JsonNode typing = eventAbout(b, "user-typing", alice);
            assertThat(typing.path("roomId").asText()).isEqualTo(room);
            assertThat(typing.path("username").asText()).isEqualTo(ALICE_NAME); // from alice's token
            a.emit("typing-stop", room);
            assertThat(eventAbout(b, "user-stopped-typing", alice).path("roomId").asText()).isEqualTo(room);

            // sendMessage(roomId, content): emit('send-message', {roomId, content}, ack).
            JsonNode sent = a.request("send-message", Map.of("roomId", room, "content", "hello from seed 004"));
            assertSuccess(sent);
            assertMessageObject(sent.path("data"), room, alice, "hello from seed 004", "text", ALICE_NAME, ALICE_PICTURE);
            JsonNode message = event(b, "new-message"); // bob is on the other edge node
            assertMessageObject(message, room, alice, "hello from seed 004", "text", ALICE_NAME, ALICE_PICTURE);
            assertThat(message.path("id").asText()).isEqualTo(sent.path("data").path("id").asText());
            assertThat(message.path("createdAt").asText()).isEqualTo(sent.path("data").path("createdAt").asText());

            JsonNode image = a.request("send-message", Map.of("roomId", room, "content", "https://img/cat.png", "messageType", "image"));
            assertSuccess(image);
            assertMessageObject(event(b, "new-message"), room, alice, "https://img/cat.png", "image", ALICE_NAME, ALICE_PICTURE);
            assertFailure(a.request("send-message", Map.of("roomId", room, "content", "x", "messageType", "system")), "INVALID_MESSAGE");
            assertFailure(a.request("send-message", Map.of("roomId", room, "text", "the old field")), "INVALID_MESSAGE");

            // markAsRead(messageIds): emit('mark-read', messageIds, ack) -> messages-read {userId, messageIds}.
            List<String> ids = List.of(message.path("id").asText(), image.path("data").path("id").asText());
            JsonNode read = b.request("mark-read", ids);
            assertSuccess(read);
            assertThat(read.path("data")).hasSize(2);
            assertThat(read.path("data").path(0).path("messageId").asText()).isEqualTo(ids.get(0));
            assertThat(read.path("data").path(0).path("roomId").asText()).isEqualTo(room);
            long imageSeq = image.path("data").path("seq").asLong();
            assertThat(read.path("data").path(1).path("readSeq").asLong()).isEqualTo(imageSeq);
            JsonNode messagesRead = eventAbout(a, "messages-read", bob);
            assertThat(strings(messagesRead.path("messageIds"))).containsExactlyElementsOf(ids);
            assertThat(messagesRead.path("roomId").asText()).isEqualTo(room);
            assertThat(messagesRead.path("readSeq").asLong()).isEqualTo(imageSeq);
            assertFailure(b.request("mark-read", List.of("01NOTAMESSAGE0000000000000")), "INVALID_MESSAGE");

            // A third user: online-users from the presence view lists the others once they are online.
            await().atMost(NodeSioClient.PATIENCE).untilAsserted(() -> {
                try (NodeSioClient probe = NodeSioClient.start(parley.edgeHttpUrl(1), token(carol, null, null), WEBSOCKET)) {
                    assertThat(strings(event(probe, "online-users"))).contains(alice, bob, carol);
                }
            });

            // leave-room: ack, user-left {roomId, user} to the others.
            assertSuccess(b.request("leave-room", room));
            JsonNode left = eventAbout(a, "user-left", bob);
            assertThat(left.path("user").path("username").asText()).isEqualTo(bob);
            assertThat(left.path("roomId").asText()).isEqualTo(room);
            assertThat(left.path("user").path("id").asText()).isEqualTo(bob);

            // Carol joins on edge 2 and disconnects: the room sees user-offline {userId} after the grace period.
            try (NodeSioClient c = NodeSioClient.start(parley.edgeHttpUrl(2), token(carol, "Carol", null), WEBSOCKET)) {
                c.next("connect");
                assertSuccess(c.request("join-room", room));
                JsonNode carolJoined = eventAbout(a, "user-joined", carol);
                assertThat(carolJoined.path("user").path("username").asText()).isEqualTo("Carol"); // her token's name claim
                assertThat(eventAbout(a, "user-online", carol).path("username").asText()).isEqualTo("Carol");
                c.disconnect();
                c.next("disconnect");
            }
            assertThat(eventAbout(a, "user-offline", carol).path("roomId").asText()).isEqualTo(room);
        }
    }
}
