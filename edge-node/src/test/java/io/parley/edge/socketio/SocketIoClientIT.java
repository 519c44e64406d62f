/*
 * SocketIoClientIT owns the in-process proof that the stock socket.io-client (Node, from the
 * fixture package) works unchanged against /socket.io/, with its default transports (polling,
 * then the upgrade to WebSocket) and with WebSocket only: CONNECT with auth {token}, a refused
 * token as connect_error with the reason, commands turned into the same published RoomCommands as
 * /ws, the processors' reply (simulated here through the node's delivery path) as the ack
 * {success, data}, errors in the ack, room events pushed as Socket.IO events, and disconnects
 * both ways. The real processors are in infra/e2e's SocketIoIT.
 */
package io.parley.edge.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.EdgeConfig;
import io.parley.edge.EdgeNode;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SocketIoClientIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");

    private static RecordingPublisher publisher;
    private static EdgeNode node;
    private static String url;

    @BeforeAll
    static void start() {
        publisher = new RecordingPublisher();
        node = new EdgeNode(EdgeConfig.forTest(AUTH, 50, 1000), new TokenVerifier(AUTH), publisher).start(() -> true);
        url = "http://127.0.0.1:" + node.port();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    private static List<String> transports(String mode) {
        return mode.equals("default") ? null : List.of("websocket");
    }

    private static String token(String user) {
        return ISSUER.mint(user, Duration.ofMinutes(5));
    }

    private static String connectionOf(String user) {
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                .anyMatch(e -> e.userId().equals(user) && e.body() instanceof UserEvent.Connected));
        return publisher.userEvents.stream().filter(e -> e.userId().equals(user) && e.body() instanceof UserEvent.Connected)
                .reduce((a, b) -> b).orElseThrow().connectionId();
    }

    private static RoomCommand awaitCommand(String user, Class<?> body) {
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.roomCommands.stream()
                .anyMatch(c -> c.userId().equals(user) && body.isInstance(c.body())));
        return publisher.roomCommands.stream().filter(c -> c.userId().equals(user) && body.isInstance(c.body()))
                .reduce((a, b) -> b).orElseThrow();
    }

    private static void reply(RoomCommand command, Object data) {
        node.deliveries().handle(new Delivery("edge-test", 0,
                new Delivery.Reply(command.connectionId(), command.ref(), true, Json.tree(data), null)));
    }

    @ParameterizedTest(name = "transports: {0}")
    @ValueSource(strings = {"default", "websocket"})
    void theStockClientConnectsJoinsSendsAndReceives(String mode) {
        String user = "sio-alice-" + mode;
        String room = "sio-room-" + mode;
        try (NodeSioClient client = NodeSioClient.start(url, token(user), transports(mode))) {
            JsonNode opened = client.next("open");
            JsonNode connected = client.next("connect");
            assertThat(connected.path("id").asText()).isNotBlank();
            if (mode.equals("default")) {
                assertThat(opened.path("transport").asText()).isEqualTo("polling");
                assertThat(client.next("upgrade").path("transport").asText()).isEqualTo("websocket");
            } else {
                assertThat(opened.path("transport").asText()).isEqualTo("websocket");
                assertThat(connected.path("transport").asText()).isEqualTo("websocket");
            }
            String connectionId = connectionOf(user);
            assertThat(connected.path("id").asText()).isEqualTo(connectionId);

            // join-room with the bare room id, as existing Socket.IO chat clients send it.
            long joinAck = client.emitWithAck("join-room", room);
            RoomCommand join = awaitCommand(user, RoomCommand.Join.class);
            assertThat(join.roomId()).isEqualTo(room);
            assertThat(join.connectionId()).isEqualTo(connectionId);
            reply(join, new Protocol.RoomAck(room, 0));
            JsonNode joined = client.next(l -> l.path("type").asText().equals("ack") && l.path("id").asLong() == joinAck)
                    .path("args").path(0);
            assertThat(joined.path("success").asBoolean()).isTrue();
            assertThat(joined.path("data").path("roomId").asText()).isEqualTo(room);

            long sendAck = client.emitWithAck("send-message", Map.of("roomId", room, "content", "hello", "clientMsgId", "c1"));
            RoomCommand send = awaitCommand(user, RoomCommand.Send.class);
            assertThat(((RoomCommand.Send) send.body()).content()).isEqualTo("hello");
            Protocol.Message message = new Protocol.Message("m-1", room, user, "hello", "text", Protocol.isoTime(1L),
                    Protocol.User.of(user, null, null), 1, "c1", null);
            reply(send, message);
            JsonNode sent = client.next(l -> l.path("type").asText().equals("ack") && l.path("id").asLong() == sendAck)
                    .path("args").path(0);
            assertThat(sent.path("success").asBoolean()).isTrue();
            assertThat(sent.path("data").path("id").asText()).isEqualTo("m-1");
            assertThat(sent.path("data").path("seq").asLong()).isEqualTo(1);

            node.deliveries().handle(new Delivery("edge-test", 0, new Delivery.ToRoom(room, 1, Protocol.NEW_MESSAGE,
                    Json.tree(message))));
            JsonNode event = client.nextEvent("new-message");
            assertThat(event.path("args").path(0).path("content").asText()).isEqualTo("hello");
            assertThat(event.path("args").path(0).path("seq").asLong()).isEqualTo(1);

            // Errors come back in the ack, validated by the same parser as /ws.
            JsonNode unknown = client.request("no-such-command", Map.of());
            assertThat(unknown.path("success").asBoolean()).isFalse();
            assertThat(unknown.path("code").asText()).isEqualTo("UNKNOWN_EVENT");
            JsonNode badRoom = client.request("join-room", "bad room id!");
            assertThat(badRoom.path("code").asText()).isEqualTo("INVALID_ROOM");
            JsonNode empty = client.request("send-message", Map.of("roomId", room, "content", " "));
            assertThat(empty.path("code").asText()).isEqualTo("INVALID_MESSAGE");
            JsonNode ping = client.request("ping");
            assertThat(ping.path("success").asBoolean()).isTrue();

            // A Socket.IO DISCONNECT from the client leaves its rooms and ends the connection.
            client.disconnect();
            await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                    .anyMatch(e -> e.connectionId().equals(connectionId) && e.body() instanceof UserEvent.Disconnected));
            assertThat(publisher.roomCommands).anyMatch(c -> c.connectionId().equals(connectionId)
                    && c.roomId().equals(room) && c.body() instanceof RoomCommand.Leave);
        }
    }

    @ParameterizedTest(name = "transports: {0}")
    @ValueSource(strings = {"default", "websocket"})
    void aRefusedTokenIsAConnectErrorWithTheReason(String mode) {
        try (NodeSioClient client = NodeSioClient.start(url, "not-a-jwt", transports(mode))) {
            JsonNode error = client.next("connect_error");
            assertThat(error.path("message").asText()).startsWith("AUTHENTICATION_FAILED");
            assertThat(error.path("data").path("code").asText()).isEqualTo("AUTHENTICATION_FAILED");
            assertThat(error.path("data").path("message").asText()).isNotBlank();
        }
        String expired = ISSUER.mint("sio-late", Duration.ofSeconds(-120));
        try (NodeSioClient client = NodeSioClient.start(url, expired, transports(mode))) {
            JsonNode error = client.next("connect_error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("AUTHENTICATION_FAILED");
        }
        assertThat(publisher.userEvents).noneMatch(e -> e.userId().equals("sio-late"));
    }

    @ParameterizedTest(name = "transports: {0}")
    @ValueSource(strings = {"default", "websocket"})
    void theServerClosingTheSessionMakesTheClientReconnectByItself(String mode) {
        String user = "sio-bob-" + mode;
        try (NodeSioClient client = NodeSioClient.start(url, token(user), transports(mode))) {
            String first = client.next("connect").path("id").asText();
            if (mode.equals("default")) {
                client.next("upgrade");
            }
            assertThat(node.connectionCount()).isPositive();
            node.socketIo().closeAll();
            assertThat(client.next("disconnect").path("reason").asText()).isEqualTo("transport close");
            JsonNode again = client.next("connect");
            assertThat(again.path("id").asText()).isNotEqualTo(first);
        }
    }
}
