/*
 * NativeWsRfcIT owns the proof that /ws speaks RFC 6455 to the letter with frames written by hand
 * (RawWsClient): every ping gets a pong with the same payload, a text message that is not UTF-8 is
 * closed with 1007, a control frame over 125 bytes with 1002, a text message fragmented (split
 * inside a code point, with a ping between its fragments) is reassembled and processed; after each,
 * a bystander connection still works. The same checks hold on /socket.io/'s WebSocket transport.
 * The real Helidon server, a recording publisher.
 */
package io.parley.edge.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.json.Json;
import io.parley.edge.EdgeConfig;
import io.parley.edge.EdgeNode;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NativeWsRfcIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");

    private static EdgeNode node;
    private RawWsClient bystander;

    @BeforeAll
    static void start() {
        node = new EdgeNode(EdgeConfig.forTest(AUTH, 1000, 1000), new TokenVerifier(AUTH), new RecordingPublisher())
                .start(() -> true);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    @BeforeEach
    void openBystander() throws IOException {
        bystander = connect("bystander");
        assertAlive(bystander, "before");
    }

    @AfterEach
    void checkBystander() throws IOException {
        assertAlive(bystander, "after");
        bystander.close();
    }

    static RawWsClient connect(String user) throws IOException {
        return RawWsClient.connect("127.0.0.1", node.port(), "/ws?token=" + ISSUER.mint(user, Duration.ofMinutes(5)), Map.of());
    }

    /** The connection answers a request, and a WebSocket ping. */
    static void assertAlive(RawWsClient client, String ref) throws IOException {
        client.text("{\"op\":\"ping\",\"ref\":\"" + ref + "\"}");
        JsonNode reply = Json.MAPPER.readTree(client.awaitText("\"ref\":\"" + ref + "\""));
        assertThat(reply.get("ok").booleanValue()).isTrue();
        byte[] payload = ("alive-" + ref).getBytes(StandardCharsets.UTF_8);
        client.ping(payload);
        assertThat(client.await(f -> f.opcode() == RawWsClient.PONG).payload()).isEqualTo(payload);
    }

    @Test
    void everyPingGetsAPongWithTheSamePayload() throws IOException {
        try (RawWsClient client = connect("pinger")) {
            byte[] max = new byte[125];
            Arrays.fill(max, (byte) 'x');
            byte[][] payloads = {new byte[0], "hello".getBytes(StandardCharsets.UTF_8), {0, 1, 2, (byte) 0xFF}, max};
            for (byte[] payload : payloads) {
                client.ping(payload);
            }
            for (byte[] payload : payloads) {
                RawWsClient.Frame pong = client.await(f -> f.opcode() == RawWsClient.PONG);
                assertThat(pong.payload()).isEqualTo(payload);
            }
            assertAlive(client, "pinger");
        }
    }

    @Test
    void aTextMessageThatIsNotUtf8IsClosedWith1007() throws IOException {
        try (RawWsClient client = connect("garbler")) {
            client.frame(true, RawWsClient.TEXT, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
            RawWsClient.Frame close = client.awaitClose();
            assertThat(close.closeCode()).isEqualTo(1007);
        }
        try (RawWsClient client = connect("garbler-2")) {
            // A message ending inside a code point (valid so far, never completed) is invalid too.
            client.frame(true, RawWsClient.TEXT, new byte[] {'a', (byte) 0xE2, (byte) 0x82});
            assertThat(client.awaitClose().closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void aControlFrameOver125BytesIsClosedWith1002() throws IOException {
        try (RawWsClient client = connect("shouter")) {
            client.ping(new byte[126]);
            RawWsClient.Frame close = client.awaitClose();
            assertThat(close.closeCode()).isEqualTo(1002);
        }
        try (RawWsClient client = connect("fragmenter-of-pings")) {
            client.frame(false, RawWsClient.PING, "part".getBytes(StandardCharsets.UTF_8));
            assertThat(client.awaitClose().closeCode()).isEqualTo(1002);
        }
    }

    @Test
    void aFragmentedTextMessageIsReassembledEvenSplitInsideACodePoint() throws IOException {
        try (RawWsClient client = connect("fragmenter")) {
            String ref = "fr-\u00e9\u20ac\uD83D\uDE00"; // é (2 bytes), € (3 bytes), 😀 (4 bytes)
            byte[] message = ("{\"op\":\"ping\",\"ref\":\"" + ref + "\"}").getBytes(StandardCharsets.UTF_8);
            int start = ("{\"op\":\"ping\",\"ref\":\"fr-").length();
            int[] cuts = {5, start + 1, start + 3, start + 7}; // inside é, inside €, inside 😀
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : message.length;
                client.frame(i == cuts.length, i == 0 ? RawWsClient.TEXT : RawWsClient.CONTINUATION,
                        Arrays.copyOfRange(message, from, to));
                if (i == 1) {
                    client.ping("between".getBytes(StandardCharsets.UTF_8)); // control frames may come between fragments
                }
                from = to;
            }
            assertThat(client.await(f -> f.opcode() == RawWsClient.PONG).text()).isEqualTo("between");
            JsonNode reply = Json.MAPPER.readTree(client.awaitText("\"ok\""));
            assertThat(reply.get("ref").textValue()).isEqualTo(ref);
            assertThat(reply.get("ok").booleanValue()).isTrue();
        }
    }

    @Test
    void aLargeServerMessageIsSentFragmentedWithinHelidonsInitialSendBuffer() throws IOException {
        // 1,000 online users with long ids and characters of 2, 3 and 4 UTF-8 bytes: a ~40-KB online-users message.
        java.util.List<String> users = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            users.add("user-\u00e9\u20ac\uD83D\uDE00-with-a-rather-long-id-" + i);
        }
        node.commands().usePresenceReader(new io.parley.edge.command.PresenceReader() {
            @Override
            public java.util.concurrent.CompletionStage<io.parley.contracts.wire.Protocol.OnlineUsers> onlineUsers(String roomId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.concurrent.CompletionStage<java.util.List<String>> onlineUserIds() {
                return java.util.concurrent.CompletableFuture.completedFuture(users);
            }
        });
        try (RawWsClient client = connect("many-online")) {
            RawWsClient.Frame first = client.await(f -> f.opcode() == RawWsClient.TEXT && f.text().startsWith("{\"event\":\"online-users\""));
            java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
            message.writeBytes(first.payload());
            int frames = 1;
            assertThat(first.fin()).isFalse();
            RawWsClient.Frame frame = first;
            while (!frame.fin()) {
                frame = client.await(f -> f.opcode() != RawWsClient.PING && f.opcode() != RawWsClient.PONG);
                assertThat(frame.opcode()).isEqualTo(RawWsClient.CONTINUATION);
                assertThat(frame.payload().length).isLessThanOrEqualTo(TextFragments.MAX_FRAGMENT_BYTES);
                StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(frame.payload())); // throws if a code point was cut
                message.writeBytes(frame.payload());
                frames++;
            }
            assertThat(first.payload().length).isLessThanOrEqualTo(TextFragments.MAX_FRAGMENT_BYTES);
            assertThat(frames).isGreaterThan(30);
            JsonNode event = Json.MAPPER.readTree(message.toByteArray()); // strict: each cut is between code points
            assertThat(event.get("data")).hasSize(1001);
            assertThat(event.get("data").get(999).textValue()).isEqualTo(users.get(999));
            assertAlive(client, "after-fragments");
        } finally {
            node.commands().usePresenceReader(io.parley.edge.command.PresenceReader.NONE);
        }
    }

    @Test
    void aNewMessageInsideAFragmentedOneIsAProtocolError() throws IOException {
        try (RawWsClient client = connect("interleaver")) {
            client.frame(false, RawWsClient.TEXT, "{\"op\":".getBytes(StandardCharsets.UTF_8));
            client.frame(true, RawWsClient.TEXT, "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(client.awaitClose().closeCode()).isEqualTo(1002);
        }
    }

    @Test
    void theSocketIoWebSocketTransportGetsThePongsAndTheSameChecks() throws IOException {
        String path = "/socket.io/?EIO=4&transport=websocket";
        try (RawWsClient sio = RawWsClient.connect("127.0.0.1", node.port(), path, Map.of())) {
            assertThat(sio.await(f -> f.opcode() == RawWsClient.TEXT).text()).startsWith("0{\"sid\":");
            sio.ping("sio-ping".getBytes(StandardCharsets.UTF_8));
            assertThat(sio.await(f -> f.opcode() == RawWsClient.PONG).text()).isEqualTo("sio-ping");
            // A fragmented Engine.IO ping packet ("2" + payload) split inside a code point is reassembled.
            byte[] packet = "2\u20ac".getBytes(StandardCharsets.UTF_8);
            sio.frame(false, RawWsClient.TEXT, Arrays.copyOfRange(packet, 0, 2));
            sio.frame(true, RawWsClient.CONTINUATION, Arrays.copyOfRange(packet, 2, packet.length));
            assertThat(sio.await(f -> f.opcode() == RawWsClient.TEXT).text()).isEqualTo("3\u20ac");
            sio.frame(true, RawWsClient.TEXT, new byte[] {'4', (byte) 0xFF});
            assertThat(sio.awaitClose().closeCode()).isEqualTo(1007);
        }
        try (RawWsClient sio = RawWsClient.connect("127.0.0.1", node.port(), path, Map.of())) {
            sio.ping(new byte[200]);
            assertThat(sio.awaitClose().closeCode()).isEqualTo(1002);
        }
    }
}
