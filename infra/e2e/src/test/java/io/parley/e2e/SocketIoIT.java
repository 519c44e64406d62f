/*
 * SocketIoIT owns the end-to-end proof that the stock socket.io-client (Node, edge-node's pinned
 * fixture) works unchanged against Parley's edge nodes and real processors, with its default
 * transports (polling, then the upgrade) and with WebSocket only: connect with auth {token}, a
 * rejected token as connect_error with the reason, join-room (bare room id) and send-message acks
 * {success, data: the message object}, new-message on a client of the other edge node (Socket.IO and
 * native /ws alike: one command model), errors in the ack, and the client's own reconnection after
 * its edge node restarts.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class SocketIoIT {

    private static List<String> transports(String mode) {
        return mode.equals("default") ? null : List.of("websocket");
    }

    private static void assertSuccess(JsonNode ack) {
        assertThat(ack.path("success").asBoolean()).as("ack %s", ack).isTrue();
    }

    @ParameterizedTest(name = "transports: {0}")
    @ValueSource(strings = {"default", "websocket"})
    void theStockClientChatsAcrossEdgeNodesWithAcks(String mode, ParleyCluster parley) {
        String room = TestStack.uniqueName("sio-room");
        String alice = TestStack.uniqueName("sio-alice");
        String bob = TestStack.uniqueName("sio-bob");
        try (NodeSioClient a = NodeSioClient.start(parley.edgeHttpUrl(1), parley.token(alice), transports(mode));
             NodeSioClient b = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(bob), transports(mode));
             WsClient c = parley.connect(TestStack.uniqueName("native-carol"), 2)) {
            assertThat(a.next("connect").path("id").asText()).isNotBlank();
            assertThat(b.next("connect").path("id").asText()).isNotBlank();

            JsonNode joined = a.request("join-room", room);
            assertSuccess(joined);
            assertThat(joined.path("data").path("roomId").asText()).isEqualTo(room);
            assertSuccess(b.request("join-room", Map.of("roomId", room)));
            assertOk(c.request("join-room", data("roomId", room)));

            JsonNode sent = a.request("send-message", Map.of("roomId", room, "content", "hello from socket.io", "clientMsgId", "s1"));
            assertSuccess(sent);
            String messageId = sent.path("data").path("id").asText();
            long seq = sent.path("data").path("seq").asLong();
            assertThat(messageId).isNotBlank();
            assertThat(seq).isPositive();

            JsonNode received = b.nextEvent("new-message").path("args").path(0);
            assertThat(received.path("id").asText()).isEqualTo(messageId);
            assertThat(received.path("seq").asLong()).isEqualTo(seq);
            assertThat(received.path("content").asText()).isEqualTo("hello from socket.io");
            assertThat(received.path("user").path("id").asText()).isEqualTo(alice);
            JsonNode nativeCopy = c.nextEvent(e -> e.path("event").asText().equals("new-message"));
            assertThat(nativeCopy.path("data").path("id").asText()).isEqualTo(messageId);

            // A native client's message reaches the Socket.IO clients the same way.
            assertOk(c.request("send-message", data("roomId", room, "content", "hello from /ws")));
            assertThat(a.nextEvent("new-message").path("args").path(0).path("content").asText()).isEqualTo("hello from socket.io");
            assertThat(a.nextEvent("new-message").path("args").path(0).path("content").asText()).isEqualTo("hello from /ws");

            // Errors come back in the ack: from the processors, and from the edge's own validation.
            JsonNode notMember = a.request("send-message", Map.of("roomId", TestStack.uniqueName("elsewhere"), "content", "hi"));
            assertThat(notMember.path("success").asBoolean()).isFalse();
            assertThat(notMember.path("code").asText()).isEqualTo("AUTHORIZATION_FAILED");
            assertThat(notMember.path("error").asText()).isNotBlank(); // seed 004: the error is the message
            JsonNode tooLong = a.request("send-message", Map.of("roomId", room, "content", "x".repeat(ParleyCluster.MAX_MESSAGE_LENGTH + 1)));
            assertThat(tooLong.path("code").asText()).isEqualTo("INVALID_MESSAGE");
            JsonNode unknown = a.request("fly-to-the-moon", Map.of());
            assertThat(unknown.path("code").asText()).isEqualTo("UNKNOWN_EVENT");
        }
    }

    @ParameterizedTest(name = "transports: {0}")
    @ValueSource(strings = {"default", "websocket"})
    void aRejectedTokenIsAConnectErrorWithTheReason(String mode, ParleyCluster parley) {
        String expired = parley.tokens.mint("sio-expired", Duration.ofMinutes(-5));
        try (NodeSioClient client = NodeSioClient.start(parley.edgeHttpUrl(1), expired, transports(mode))) {
            JsonNode error = client.next("connect_error");
            assertThat(error.path("message").asText()).startsWith("AUTHENTICATION_FAILED");
            assertThat(error.path("data").path("code").asText()).isEqualTo("AUTHENTICATION_FAILED");
            assertThat(error.path("data").path("message").asText()).isNotBlank();
        }
    }

    @Test
    void theClientReconnectsByItselfAfterItsEdgeNodeRestarts(ParleyCluster parley) {
        String room = TestStack.uniqueName("sio-restart");
        String dave = TestStack.uniqueName("sio-dave");
        try (NodeSioClient survivor = NodeSioClient.start(parley.edgeHttpUrl(2), parley.token(dave), null);
             NodeSioClient watcher = NodeSioClient.start(parley.edgeHttpUrl(1), parley.token(TestStack.uniqueName("sio-erin")),
                     List.of("websocket"))) {
            String firstId = survivor.next("connect").path("id").asText();
            watcher.next("connect");
            assertSuccess(survivor.request("join-room", room));
            assertSuccess(watcher.request("join-room", room));

            parley.services.restartEdge(1); // edge-2: SIGTERM (graceful drain), then the same port again

            assertThat(survivor.next("disconnect").path("reason").asText()).isEqualTo("transport close");
            String secondId = survivor.next("connect").path("id").asText();
            assertThat(secondId).isNotEqualTo(firstId);

            // As Socket.IO chat clients do on every connect: join again, then carry on.
            assertSuccess(survivor.request("join-room", room));
            JsonNode sent = survivor.request("send-message", Map.of("roomId", room, "content", "back again"));
            assertSuccess(sent);
            JsonNode seen = watcher.nextEvent("new-message").path("args").path(0);
            assertThat(seen.path("content").asText()).isEqualTo("back again");
            assertThat(seen.path("user").path("id").asText()).isEqualTo(dave);
            assertThat(survivor.nextEvent("new-message").path("args").path(0).path("id").asText())
                    .isEqualTo(sent.path("data").path("id").asText());
        }
    }
}
