/*
 * NativeWsIT owns the in-process proof of the socket layer: the real Helidon server on a free port,
 * java.net.http.WebSocket as the client, and a recording CommandPublisher (our own seam) instead of
 * Kafka. It proves the upgrade refuses bad tokens with 401 and publishes nothing, that errors are
 * answered with the right codes on a connection that stays usable, what is published for each
 * socket event, and that a delivery reaches the subscribed socket and no other.
 */
package io.parley.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class NativeWsIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RecordingPublisher publisher;
    private static EdgeNode node;
    private static String base;

    @BeforeAll
    static void start() {
        publisher = new RecordingPublisher();
        node = new EdgeNode(EdgeConfig.forTest(AUTH, 20, 1000), new TokenVerifier(AUTH), publisher).start(() -> true);
        base = "127.0.0.1:" + node.port();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    /** A test client: every text message received, in order. */
    static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();
        volatile int closeCode = -1;
        WebSocket ws;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            return null;
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }

        JsonNode next() throws Exception {
            String text = received.poll(30, TimeUnit.SECONDS);
            assertThat(text).as("a frame within 30 s").isNotNull();
            return Json.MAPPER.readTree(text);
        }

        JsonNode request(String frame) throws Exception {
            send(frame);
            return next();
        }

        void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    private static Client connect(String userId) {
        return connect(userId, true);
    }

    private static Client connect(String userId, boolean viaHeader) {
        String token = ISSUER.mint(userId, Duration.ofMinutes(5));
        Client client = new Client();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        URI uri;
        if (viaHeader) {
            builder.header("Authorization", "Bearer " + token);
            uri = URI.create("ws://" + base + "/ws");
        } else {
            uri = URI.create("ws://" + base + "/ws?token=" + token);
        }
        client.ws = builder.buildAsync(uri, client).join();
        return client;
    }

    private static int refusedStatus(String query, String authorization) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        try {
            builder.buildAsync(URI.create("ws://" + base + "/ws" + query), new Client()).join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
        throw new AssertionError("the upgrade was accepted");
    }

    private static String connectionIdOf(String userId) {
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                .anyMatch(e -> e.userId().equals(userId) && e.body() instanceof UserEvent.Connected));
        return publisher.userEvents.stream()
                .filter(e -> e.userId().equals(userId) && e.body() instanceof UserEvent.Connected)
                .reduce((a, b) -> b).orElseThrow().connectionId();
    }

    private static List<RoomCommand> commandsOf(String userId) {
        return publisher.roomCommands.stream().filter(c -> c.userId().equals(userId)).toList();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void badTokensAreRefusedAtTheUpgradeWith401AndPublishNothing() throws Exception {
        String otherSecret = new TokenIssuer("another-secret-that-is-also-32-bytes-long!", "parley", "parley")
                .mint("mallory", Duration.ofMinutes(5));
        String expired = ISSUER.mint("mallory", Instant.now().minusSeconds(3600), Instant.now().minusSeconds(600));
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        String algNone = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + b64("{\"sub\":\"mallory\",\"iss\":\"parley\",\"aud\":[\"parley\"],\"exp\":" + exp + "}") + ".";

        assertThat(refusedStatus("", "Bearer " + otherSecret)).isEqualTo(401);
        assertThat(refusedStatus("?token=" + expired, null)).isEqualTo(401);
        assertThat(refusedStatus("?token=" + algNone, null)).isEqualTo(401);
        assertThat(refusedStatus("?token=not.a.jwt", null)).isEqualTo(401);
        // No token at all is not refused at the upgrade: the client must send auth {token} first (NativeAuthIT).

        // The reason is told (plain HTTP to the same path shows the body of the refusal).
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + base + "/ws?token=" + expired)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
        assertThat(error.get("code").textValue()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED.name());
        assertThat(error.get("message").textValue()).isEqualTo("token expired");

        // Publishing is ordered through one queue: once a sentinel's connect is published, anything
        // the refused upgrades had published would be there too.
        Client sentinel = connect("sentinel-after-mallory");
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                .anyMatch(e -> e.userId().equals("sentinel-after-mallory")));
        assertThat(publisher.userEvents).noneMatch(e -> e.userId().equals("mallory"));
        assertThat(publisher.roomCommands).noneMatch(c -> c.userId().equals("mallory"));
        sentinel.close();
    }

    @Test
    void aVocabularyProfileOtherThanTheDefaultIsRefusedOnWs() throws Exception {
        String token = ISSUER.mint("paula", Duration.ofMinutes(5));
        assertThat(refusedStatus("?token=" + token + "&profile=seed-001", null)).isEqualTo(400);
        assertThat(refusedStatus("?token=" + token + "&vocabulary=seed-002", null)).isEqualTo(400);
        assertThat(refusedStatus("?token=" + token + "&profile=nonsense", null)).isEqualTo(400);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://" + base + "/ws?token=" + token + "&profile=seed-002")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
        assertThat(error.get("code").textValue()).isEqualTo(ErrorCode.INVALID_MESSAGE.name());
        assertThat(error.get("message").textValue()).contains("/socket.io/");
        // the default vocabulary by name is fine
        Client quinn = new Client();
        quinn.ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://" + base + "/ws?token="
                + ISSUER.mint("quinn", Duration.ofMinutes(5)) + "&profile=seed-004"), quinn).join();
        JsonNode pong = quinn.request("{\"op\":\"ping\",\"ref\":\"p1\"}");
        assertThat(pong.get("ok").booleanValue()).isTrue();
        quinn.close();
    }

    @Test
    void aValidTokenConnectsByHeaderOrQueryAndTheUserIdComesFromTheToken() throws Exception {
        Client viaHeader = connect("carol", true);
        Client viaQuery = connect("dave", false);
        String carolConnection = connectionIdOf("carol");
        connectionIdOf("dave");

        JsonNode pong = viaQuery.request("{\"op\":\"ping\",\"ref\":\"p1\"}");
        assertThat(pong.get("ref").textValue()).isEqualTo("p1");
        assertThat(pong.get("ok").booleanValue()).isTrue();

        viaHeader.send("{\"op\":\"send-message\",\"ref\":\"s1\",\"data\":{\"roomId\":\"lobby\",\"content\":\"hi\","
                + "\"userId\":\"mallory\",\"clientMsgId\":\"m-1\"}}");
        await().atMost(30, TimeUnit.SECONDS).until(() -> !commandsOf("carol").isEmpty());
        RoomCommand send = commandsOf("carol").get(0);
        assertThat(send.connectionId()).isEqualTo(carolConnection);
        assertThat(send.ref()).isEqualTo("s1");
        assertThat(send.roomId()).isEqualTo("lobby");
        assertThat(send.edgeSlot()).isZero();
        assertThat(send.body()).isEqualTo(new RoomCommand.Send("m-1", "hi", null));
        assertThat(publisher.roomCommands).noneMatch(c -> c.userId().equals("mallory"));
        assertThat(publisher.userEvents).anyMatch(e -> e.userId().equals("carol")
                && e.body().equals(new UserEvent.MessageAttempt("lobby")));
        viaHeader.close();
        viaQuery.close();
    }

    @Test
    void errorsAreAnsweredWithTheirCodeAndTheConnectionStaysUsable() throws Exception {
        Client client = connect("erin");
        connectionIdOf("erin");

        JsonNode malformed = client.request("{not json");
        assertThat(malformed.get("ok").booleanValue()).isFalse();
        assertThat(malformed.has("ref")).isFalse();
        assertThat(malformed.at("/error/code").textValue()).isEqualTo("INVALID_MESSAGE");

        assertThat(client.request("[1,2,3]").at("/error/code").textValue()).isEqualTo("INVALID_MESSAGE");

        JsonNode unknown = client.request("{\"op\":\"dance\",\"ref\":\"2\"}");
        assertThat(unknown.get("ref").textValue()).isEqualTo("2");
        assertThat(unknown.at("/error/code").textValue()).isEqualTo("UNKNOWN_EVENT");

        assertThat(client.request("{\"op\":\"join-room\",\"ref\":\"3\",\"data\":{\"roomId\":\"no spaces\"}}")
                .at("/error/code").textValue()).isEqualTo("INVALID_ROOM");

        String tooLong = "x".repeat(4001);
        JsonNode longText = client.request("{\"op\":\"send-message\",\"ref\":\"4\",\"data\":{\"roomId\":\"r\",\"content\":\"" + tooLong + "\"}}");
        assertThat(longText.get("ref").textValue()).isEqualTo("4");
        assertThat(longText.at("/error/code").textValue()).isEqualTo("INVALID_MESSAGE");

        assertThat(client.request("{\"op\":\"send-message\",\"ref\":\"5\",\"data\":{\"roomId\":\"r\",\"content\":\"\"}}")
                .at("/error/code").textValue()).isEqualTo("INVALID_MESSAGE");

        String huge = "{\"op\":\"send-message\",\"ref\":\"6\",\"data\":{\"roomId\":\"r\",\"content\":\"" + "y".repeat(20_000) + "\"}}";
        JsonNode tooLarge = client.request(huge);
        assertThat(tooLarge.at("/error/code").textValue()).isEqualTo("PAYLOAD_TOO_LARGE");

        assertThat(commandsOf("erin")).isEmpty(); // nothing invalid reached "Kafka"

        JsonNode pong = client.request("{\"op\":\"ping\",\"ref\":\"7\"}");
        assertThat(pong.get("ok").booleanValue()).isTrue();
        client.send("{\"op\":\"join-room\",\"ref\":\"8\",\"data\":{\"roomId\":\"valid-room\"}}");
        await().atMost(30, TimeUnit.SECONDS).until(() -> commandsOf("erin").size() == 1);
        assertThat(commandsOf("erin").get(0).body()).isEqualTo(new RoomCommand.Join());
        assertThat(client.closeCode).isEqualTo(-1);
        client.close();
    }

    @Test
    void tooManyFramesPerSecondAreRefusedWithRetryAfterThenAllowedAgain() throws Exception {
        Client client = connect("frank");
        connectionIdOf("frank");
        for (int i = 0; i < 30; i++) {
            client.send("{\"op\":\"send-message\",\"ref\":\"" + i + "\",\"data\":{\"roomId\":\"r\",\"content\":\"flood\"}}");
        }
        // Accepted sends are answered by the processors (absent here), refusals by the edge: every one
        // of the 30 frames ends up as one or the other (no quiet period decides that the refusals are over).
        List<JsonNode> refusals = new ArrayList<>();
        await().atMost(30, TimeUnit.SECONDS).pollInSameThread().until(() -> {
            for (String text = client.received.poll(); text != null; text = client.received.poll()) {
                refusals.add(Json.MAPPER.readTree(text));
            }
            return refusals.size() + commandsOf("frank").size() >= 30;
        });
        long retryAfter = 0;
        for (JsonNode reply : refusals) {
            assertThat(reply.at("/error/code").textValue()).isEqualTo("RATE_LIMIT_EXCEEDED");
            retryAfter = Math.max(retryAfter, reply.at("/error/retryAfterMs").longValue());
        }
        assertThat(refusals).isNotEmpty();
        assertThat(retryAfter).isBetween(1L, 1000L);
        assertThat(commandsOf("frank")).hasSize(30 - refusals.size());

        // Once the window has passed, the connection is usable again.
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(retryAfter + 100)).until(() ->
                client.request("{\"op\":\"ping\",\"ref\":\"after\"}").get("ok").booleanValue());
        client.close();
    }

    @Test
    void aDeliveryReachesTheSubscribedSocketAndNoOther() throws Exception {
        Client grace = connect("grace");
        Client heidi = connect("heidi");
        String graceConnection = connectionIdOf("grace");
        String heidiConnection = connectionIdOf("heidi");

        grace.send("{\"op\":\"join-room\",\"ref\":\"j1\",\"data\":{\"roomId\":\"room-1\"}}");
        heidi.send("{\"op\":\"join-room\",\"ref\":\"j2\",\"data\":{\"roomId\":\"room-2\"}}");
        await().atMost(30, TimeUnit.SECONDS).until(() -> commandsOf("grace").size() == 1 && commandsOf("heidi").size() == 1);

        // What the room processor would answer, through this node's deliveries.
        node.deliveries().handle(new Delivery("edge-test", 0, new Delivery.Reply(graceConnection, "j1", true,
                Json.tree(new Protocol.RoomAck("room-1", 0)), null)));
        node.deliveries().handle(new Delivery("edge-test", 0, new Delivery.Reply(heidiConnection, "j2", true,
                Json.tree(new Protocol.RoomAck("room-2", 0)), null)));
        JsonNode ack = grace.next();
        assertThat(ack.get("ref").textValue()).isEqualTo("j1");
        assertThat(ack.get("ok").booleanValue()).isTrue();
        assertThat(ack.at("/data/roomId").textValue()).isEqualTo("room-1");
        assertThat(heidi.next().get("ref").textValue()).isEqualTo("j2");

        Delivery.ToRoom message = new Delivery.ToRoom("room-1", 1, Protocol.NEW_MESSAGE,
                Json.tree(new Protocol.Message("msg-1", "room-1", "grace", "hello room 1", "text", Protocol.isoTime(42L), Protocol.User.of("grace", null, null), 1, null, null)));
        node.deliveries().handle(new Delivery("edge-test", 0, message));
        node.deliveries().handle(new Delivery("edge-test", 0, message)); // reprocessed: same seq, dropped
        node.deliveries().handle(new Delivery("edge-test", 0, new Delivery.ToRoom("room-2", 1, Protocol.NEW_MESSAGE,
                Json.tree(new Protocol.Message("msg-2", "room-2", "heidi", "hello room 2", "text", Protocol.isoTime(43L), Protocol.User.of("heidi", null, null), 1, null, null)))));

        JsonNode event = grace.next();
        assertThat(event.get("event").textValue()).isEqualTo("new-message");
        assertThat(event.at("/data/content").textValue()).isEqualTo("hello room 1");
        assertThat(event.at("/data/seq").longValue()).isEqualTo(1);
        JsonNode other = heidi.next();
        assertThat(other.at("/data/content").textValue()).isEqualTo("hello room 2"); // never room-1's
        assertThat(grace.received.poll(300, TimeUnit.MILLISECONDS)).isNull(); // the duplicate was dropped
        assertThat(heidi.received.poll(100, TimeUnit.MILLISECONDS)).isNull();

        // Disconnect: a leave for the joined room, then the disconnect.
        grace.close();
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream().anyMatch(e ->
                e.connectionId().equals(graceConnection) && e.body() instanceof UserEvent.Disconnected));
        assertThat(commandsOf("grace")).extracting(RoomCommand::body)
                .containsExactly(new RoomCommand.Join(), new RoomCommand.Leave("disconnect"));
        assertThat(node.deliveries()).isNotNull();
        heidi.close();
    }

    @Test
    void aRateLimitDecisionRefusesTheUsersSendsLocally() throws Exception {
        Client ivan = connect("ivan");
        connectionIdOf("ivan");
        node.deliveries().handle(new Delivery("edge-test", 0,
                new Delivery.RateLimit("ivan", System.currentTimeMillis() + 60_000))); // outlasts a slow request
        JsonNode refused = ivan.request("{\"op\":\"send-message\",\"ref\":\"1\",\"data\":{\"roomId\":\"r\",\"content\":\"hi\"}}");
        assertThat(refused.get("ref").textValue()).isEqualTo("1");
        assertThat(refused.at("/error/code").textValue()).isEqualTo("RATE_LIMIT_EXCEEDED");
        assertThat(refused.at("/error/retryAfterMs").longValue()).isBetween(1L, 60_000L);
        assertThat(commandsOf("ivan")).isEmpty();
        assertThat(publisher.userEvents).noneMatch(e -> e.userId().equals("ivan") && e.body() instanceof UserEvent.MessageAttempt);
        ivan.close();
    }

    @Test
    void healthReportsUpAndTheConnectionCount() throws Exception {
        Client judy = connect("judy");
        connectionIdOf("judy");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = Json.MAPPER.readTree(response.body());
        assertThat(health.get("status").textValue()).isEqualTo("UP");
        assertThat(health.get("node").textValue()).isEqualTo("edge-test");
        assertThat(health.get("connections").intValue()).isGreaterThanOrEqualTo(1);
        judy.close();
    }

    @Test
    void aConnectionDroppedWithoutACloseFrameIsCleanedUp() {
        Client kim = connect("kim");
        String connection = connectionIdOf("kim");
        kim.ws.abort(); // TCP closed, no close frame: Helidon calls no onClose
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream().anyMatch(e ->
                e.connectionId().equals(connection) && e.body() instanceof UserEvent.Disconnected));
    }
}
