/*
 * SocketIoProtocolIT owns the proof that /socket.io/ refuses bad input cleanly, driven with raw
 * HTTP and WebSocket (java.net.http) on the real Helidon server with a recording publisher: a
 * wrong EIO version, an unknown transport, an unknown sid, malformed Engine.IO and Socket.IO
 * packets, oversized payloads, a CONNECT without auth or to an unknown namespace, binary
 * attachments, a concurrent GET, refused origins, a missing pong and a missing CONNECT each get
 * their documented answer; nothing crashes, and a bystander connection keeps working throughout.
 */
package io.parley.edge.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.edge.EdgeConfig;
import io.parley.edge.EdgeNode;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SocketIoProtocolIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int MAX_PAYLOAD = 32_768;
    private static final String RS = "\u001e";
    /** How long a raw client waits for a frame or its close: a deadline for a loaded machine, not a latency bound. */
    private static final long PATIENCE_S = 30;

    private static RecordingPublisher publisher;
    /** Default heartbeat (25 s), CORS for one origin. */
    private static EdgeNode node;
    /** A fast heartbeat and CONNECT deadline, for the timeout tests. */
    private static EdgeNode fast;
    private static RawWs bystander;

    @BeforeAll
    static void start() throws Exception {
        publisher = new RecordingPublisher();
        EdgeConfig base = EdgeConfig.forTest(AUTH, 1000, 1000);
        node = new EdgeNode(base.withSocketIo(SocketIoConfig.defaults().withMaxPayload(MAX_PAYLOAD)
                .withCorsOrigins(List.of("https://chat.example"))), new TokenVerifier(AUTH), publisher).start(() -> true);
        fast = new EdgeNode(base.withSocketIo(SocketIoConfig.defaults().withHeartbeat(1000, 2000).withConnectTimeout(3000)),
                new TokenVerifier(AUTH), publisher).start(() -> true);
        bystander = RawWs.open(node, "");
        bystander.connect(token("bystander"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
        if (fast != null) {
            fast.stop();
        }
    }

    /** Every test ends with the bystander still served: its ping event gets its ack. */
    @AfterEach
    void bystanderUnaffected() throws Exception {
        bystander.send("42999[\"ping\"]");
        assertThat(bystander.nextMatching(p -> p.startsWith("43999"))).isEqualTo("43999[{\"success\":true}]");
        assertThat(node.isHealthy()).isTrue();
    }

    private static String token(String user) {
        return ISSUER.mint(user, Duration.ofMinutes(5));
    }

    private static String url(EdgeNode edge, String query) {
        return "http://127.0.0.1:" + edge.port() + "/socket.io/?" + query;
    }

    private static HttpResponse<String> get(EdgeNode edge, String query, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(edge, query))).timeout(Duration.ofSeconds(40)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(EdgeNode edge, String query, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(edge, query))).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertEngineError(HttpResponse<String> response, int status, int code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.path("code").asInt()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
    }

    /** A long-polling session opened by hand. */
    private static String openPolling(EdgeNode edge) throws Exception {
        HttpResponse<String> open = get(edge, "EIO=4&transport=polling");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).startsWith("0{");
        JsonNode handshake = Json.MAPPER.readTree(open.body().substring(1));
        assertThat(handshake.path("upgrades").get(0).asText()).isEqualTo("websocket");
        return handshake.path("sid").asText();
    }

    private static String poll(EdgeNode edge, String sid) throws Exception {
        HttpResponse<String> response = get(edge, "EIO=4&transport=polling&sid=" + sid);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /** Polls until a packet matching {@code prefix} arrives (answering pings), returns it. */
    private static String pollFor(EdgeNode edge, String sid, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_S);
        while (System.nanoTime() < deadline) {
            for (String packet : poll(edge, sid).split(RS)) {
                if (packet.equals("2")) {
                    post(edge, "EIO=4&transport=polling&sid=" + sid, "3");
                } else if (packet.startsWith(prefix)) {
                    return packet;
                }
            }
        }
        throw new AssertionError("no packet starting with " + prefix);
    }

    @Test
    void aWrongEioVersionAnUnknownTransportAndABadMethodAreRefused() throws Exception {
        assertEngineError(get(node, "EIO=3&transport=polling"), 400, 5);
        assertEngineError(get(node, "transport=polling"), 400, 5);
        assertEngineError(get(node, "EIO=4&transport=carrier-pigeon"), 400, 0);
        assertEngineError(post(node, "EIO=4&transport=polling", "40"), 400, 2);
        assertEngineError(get(node, "EIO=4&transport=websocket"), 400, 3); // a WebSocket handshake without the upgrade
        assertThat(RawWs.refusedStatus(node, "EIO=3&transport=websocket")).isEqualTo(400);
    }

    @Test
    void anUnknownSidIsRefusedOnEveryTransport() throws Exception {
        assertEngineError(get(node, "EIO=4&transport=polling&sid=no-such-sid"), 400, 1);
        assertEngineError(post(node, "EIO=4&transport=polling&sid=no-such-sid", "40"), 400, 1);
        assertThat(RawWs.refusedStatus(node, "EIO=4&transport=websocket&sid=no-such-sid")).isEqualTo(400);
    }

    @Test
    void malformedEngineIoPacketsCloseOnlyTheirSession() throws Exception {
        String sid = openPolling(node);
        assertEngineError(post(node, "EIO=4&transport=polling&sid=" + sid, "x-not-a-packet"), 400, 3);
        assertThat(poll(node, sid)).isEqualTo("1"); // the session is closed: the GET is told so
        assertEngineError(get(node, "EIO=4&transport=polling&sid=" + sid), 400, 1);

        String other = openPolling(node);
        assertEngineError(post(node, "EIO=4&transport=polling&sid=" + other, ""), 400, 3);

        try (RawWs ws = RawWs.open(node, "")) {
            ws.send("9garbage");
            assertThat(ws.closeCode()).isEqualTo(1002);
        }
    }

    @Test
    void malformedSocketIoPacketsAreAnsweredAndTheConnectionStaysUsable() throws Exception {
        String sid = openPolling(node);
        String q = "EIO=4&transport=polling&sid=" + sid;
        assertThat(post(node, q, "40{\"token\":\"" + token("mallory") + "\"}").body()).isEqualTo("ok");
        assertThat(pollFor(node, sid, "40")).startsWith("40{\"sid\":");

        post(node, q, "42{not json");
        assertThat(errorOf(pollFor(node, sid, "42[\"error\""))).isEqualTo("INVALID_MESSAGE");
        post(node, q, "427[\"send-message\",{\"roomId\":");
        assertThat(ackErrorOf(pollFor(node, sid, "437["))).isEqualTo("INVALID_MESSAGE");
        post(node, q, "428{\"not\":\"an array\"}");
        assertThat(ackErrorOf(pollFor(node, sid, "438["))).isEqualTo("INVALID_MESSAGE");
        post(node, q, "49");
        assertThat(errorOf(pollFor(node, sid, "42[\"error\""))).isEqualTo("INVALID_MESSAGE");
        post(node, q, "4212[\"send-message\",\"lobby\"]");
        assertThat(ackErrorOf(pollFor(node, sid, "4312["))).isEqualTo("INVALID_MESSAGE");
        post(node, q, "4213[\"join-room\",\"bad room!\"]");
        assertThat(ackErrorOf(pollFor(node, sid, "4313["))).isEqualTo("INVALID_ROOM");

        // Still connected: a valid event gets its ack, in the same POST as a pong-less noop.
        post(node, q, "6" + RS + "429[\"ping\"]");
        assertThat(pollFor(node, sid, "439")).isEqualTo("439[{\"success\":true}]");
    }

    @Test
    void oversizedPayloadsAreRefused() throws Exception {
        // A POST over maxPayload: 413 and the session is closed.
        String sid = openPolling(node);
        assertEngineError(post(node, "EIO=4&transport=polling&sid=" + sid, "4" + "x".repeat(MAX_PAYLOAD)), 413, 3);
        assertEngineError(post(node, "EIO=4&transport=polling&sid=" + sid, "3"), 400, 1);

        // A Socket.IO packet over the frame limit but within maxPayload: PAYLOAD_TOO_LARGE in its ack.
        try (RawWs ws = RawWs.open(node, "")) {
            ws.connect(token("big-talker"));
            String text = "y".repeat(20_000);
            ws.send("425[\"send-message\",{\"roomId\":\"lobby\",\"text\":\"" + text + "\"}]");
            assertThat(ackErrorOf(ws.nextMatching(p -> p.startsWith("435[")))).isEqualTo("PAYLOAD_TOO_LARGE");
            ws.send("426[\"ping\"]");
            assertThat(ws.nextMatching(p -> p.startsWith("436"))).isEqualTo("436[{\"success\":true}]");
            // A WebSocket message over maxPayload: closed with 1009.
            ws.send("4" + "z".repeat(MAX_PAYLOAD + 10));
            assertThat(ws.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void aConnectWithoutAuthWithABadTokenOrToAnUnknownNamespaceIsAConnectError() throws Exception {
        try (RawWs ws = RawWs.open(node, "")) {
            ws.send("40{\"token\":\"tampered.token.value\"}");
            JsonNode refused = connectErrorOf(ws.nextMatching(p -> p.startsWith("44")));
            assertThat(refused.path("message").asText()).startsWith("AUTHENTICATION_FAILED");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("AUTHENTICATION_FAILED");
            ws.send("40{\"token\":42}");
            assertThat(connectErrorOf(ws.nextMatching(p -> p.startsWith("44"))).path("data").path("code").asText())
                    .isEqualTo("AUTHENTICATION_FAILED");

            ws.send("421[\"join-room\",\"lobby\"]"); // an EVENT before CONNECT
            assertThat(ackErrorOf(ws.nextMatching(p -> p.startsWith("431[")))).isEqualTo("AUTHENTICATION_FAILED");

            ws.send("40/admin,{\"token\":\"" + token("trudy") + "\"}");
            String namespace = ws.nextMatching(p -> p.startsWith("44/admin,"));
            assertThat(Json.MAPPER.readTree(namespace.substring("44/admin,".length())).path("message").asText())
                    .isEqualTo("Invalid namespace");

            // The same connection can still CONNECT properly.
            ws.connect(token("trudy"));
        }
        assertThat(publisher.userEvents).noneMatch(e -> e.body() instanceof UserEvent.Connected && e.userId().isEmpty());
    }

    @Test
    void aConnectWithoutATokenIsConnectedButMustAuthenticateFirst() throws Exception {
        try (RawWs ws = RawWs.open(node, "")) {
            ws.send("40");
            assertThat(ws.nextMatching(p -> p.startsWith("40") || p.startsWith("44"))).startsWith("40{\"sid\":");
            ws.send("421[\"join-room\",\"lobby\"]"); // anything but auth first: refused, nothing published
            assertThat(ackErrorOf(ws.nextMatching(p -> p.startsWith("431[")))).isEqualTo("AUTHENTICATION_FAILED");
            ws.send("422[\"auth\",\"not-a-token\"]");
            assertThat(ackErrorOf(ws.nextMatching(p -> p.startsWith("432[")))).isEqualTo("AUTHENTICATION_FAILED");
            ws.send("423[\"auth\",{\"token\":\"" + token("first-message-fiona") + "\"}]");
            JsonNode ack = Json.MAPPER.readTree(ws.nextMatching(p -> p.startsWith("433[")).substring(3)).get(0);
            assertThat(ack.path("success").booleanValue()).isTrue();
            assertThat(ack.path("data").path("userId").asText()).isEqualTo("first-message-fiona");
            assertThat(ws.nextMatching(p -> p.startsWith("42[\"auth-success\"")))
                    .contains("\"userId\":\"first-message-fiona\"");
            ws.send("424[\"join-room\",\"lobby\"]");
            await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.roomCommands.stream()
                    .anyMatch(c -> c.userId().equals("first-message-fiona") && c.body() instanceof RoomCommand.Join));
        }
    }

    @Test
    void binaryAttachmentsAreRefusedWithAClearError() throws Exception {
        try (RawWs ws = RawWs.open(node, "")) {
            ws.connect(token("binary-bea"));
            ws.send("451-3[\"send-message\",{\"roomId\":\"lobby\",\"file\":{\"_placeholder\":true,\"num\":0}}]");
            ws.sendBinary(new byte[]{1, 2, 3});
            JsonNode ack = Json.MAPPER.readTree(ws.nextMatching(p -> p.startsWith("433[")).substring(3)).get(0);
            assertThat(ack.path("code").asText()).isEqualTo("INVALID_MESSAGE");
            assertThat(ack.path("error").asText()).contains("binary");
            ws.send("424[\"ping\"]");
            assertThat(ws.nextMatching(p -> p.startsWith("434"))).isEqualTo("434[{\"success\":true}]");
        }
    }

    @Test
    void aConcurrentLongPollingGetClosesTheSession() throws Exception {
        String sid = openPolling(node);
        CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(HttpRequest.newBuilder(
                URI.create(url(node, "EIO=4&transport=polling&sid=" + sid))).GET().build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
            HttpResponse<String> second = get(node, "EIO=4&transport=polling&sid=" + sid);
            assertThat(second.statusCode()).isEqualTo(400);
        });
        assertThat(first.get(30, TimeUnit.SECONDS).body()).isEqualTo("1");
    }

    @Test
    void corsAllowsTheConfiguredOriginOnlyAndAnswersPreflight() throws Exception {
        HttpResponse<String> allowed = get(node, "EIO=4&transport=polling", "Origin", "https://chat.example");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://chat.example");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

        assertEngineError(get(node, "EIO=4&transport=polling", "Origin", "https://evil.example"), 403, 4);
        assertThat(RawWs.refusedStatus(node, "EIO=4&transport=websocket", "Origin", "https://evil.example")).isEqualTo(403);

        HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(URI.create(url(node, "EIO=4&transport=polling")))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://chat.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type");
    }

    @Test
    void aMissingPongClosesTheSessionAndDisconnectsItsSocket() throws Exception {
        String sid = openPolling(fast);
        String q = "EIO=4&transport=polling&sid=" + sid;
        post(fast, q, "40{\"token\":\"" + token("silent-sam") + "\"}");
        assertThat(pollFor(fast, sid, "40")).startsWith("40{");
        // Never answer the ping: the session closes and the socket's disconnect is published.
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                .anyMatch(e -> e.userId().equals("silent-sam") && e.body() instanceof UserEvent.Disconnected d
                        && d.reason().equals("ping timeout")));
        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
            HttpResponse<String> after = get(fast, q);
            assertThat(after.statusCode() == 400 || after.body().endsWith("1")).as(after.body()).isTrue();
        });

        // A client that answers pings stays connected past several intervals.
        try (RawWs ws = RawWs.open(fast, "")) {
            ws.autoPong = true;
            ws.connect(token("chatty-chad"));
            // Three heartbeats (1 s apart, 2 s timeout) answered: past several intervals, still usable.
            await().atMost(30, TimeUnit.SECONDS).until(() -> ws.pongsSent.get() >= 3);
            ws.send("421[\"ping\"]");
            assertThat(ws.nextMatching(p -> p.startsWith("431"))).isEqualTo("431[{\"success\":true}]");
            assertThat(ws.closed).isNotDone();
        }
    }

    @Test
    void aSessionWithoutConnectIsClosedWithAuthTimeout() throws Exception {
        try (RawWs ws = RawWs.open(fast, "")) {
            ws.autoPong = true;
            JsonNode error = connectErrorOf(ws.nextMatching(p -> p.startsWith("44")));
            assertThat(error.path("data").path("code").asText()).isEqualTo("AUTH_TIMEOUT");
            assertThat(ws.closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void pollingUpgradesToWebSocketAndKeepsTheSession() throws Exception {
        String sid = openPolling(node);
        String q = "EIO=4&transport=polling&sid=" + sid;
        post(node, q, "40{\"token\":\"" + token("upgrading-uma") + "\"}");
        assertThat(pollFor(node, sid, "40")).startsWith("40{");
        CompletableFuture<HttpResponse<String>> waiting = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url(node, q)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        try (RawWs ws = RawWs.open(node, "&sid=" + sid)) {
            ws.send("2probe");
            assertThat(ws.next()).isEqualTo("3probe");
            assertThat(waiting.get(30, TimeUnit.SECONDS).body()).isEqualTo("6"); // the GET is released
            ws.send("5");
            ws.send("421[\"ping\"]");
            assertThat(ws.nextMatching(p -> p.startsWith("431"))).isEqualTo("431[{\"success\":true}]");
            assertEngineError(get(node, q), 400, 3); // polling is over for this session
        }
    }

    private static String errorOf(String packet) throws Exception {
        return Json.MAPPER.readTree(packet.substring(2)).get(1).path("code").asText();
    }

    private static String ackErrorOf(String packet) throws Exception {
        JsonNode ack = Json.MAPPER.readTree(packet.substring(packet.indexOf('['))).get(0);
        assertThat(ack.path("success").asBoolean()).isFalse();
        assertThat(ack.path("error").isTextual()).isTrue(); // seed 004: error is the message
        return ack.path("code").asText();
    }

    private static JsonNode connectErrorOf(String packet) throws Exception {
        return Json.MAPPER.readTree(packet.substring(2));
    }

    /** A raw Engine.IO WebSocket client: every text message in order, the close code. */
    static final class RawWs implements WebSocket.Listener, AutoCloseable {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final StringBuilder partial = new StringBuilder();
        volatile boolean autoPong;
        final java.util.concurrent.atomic.AtomicInteger pongsSent = new java.util.concurrent.atomic.AtomicInteger();
        WebSocket ws;

        static RawWs open(EdgeNode edge, String extraQuery) throws Exception {
            RawWs client = new RawWs();
            client.ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + edge.port()
                    + "/socket.io/?EIO=4&transport=websocket" + extraQuery), client).join();
            if (extraQuery.isEmpty()) {
                String open = client.next();
                assertThat(open).startsWith("0{");
                assertThat(Json.MAPPER.readTree(open.substring(1)).path("upgrades")).isEmpty();
            }
            return client;
        }

        static int refusedStatus(EdgeNode edge, String query, String... headers) {
            WebSocket.Builder builder = HTTP.newWebSocketBuilder();
            for (int i = 0; i < headers.length; i += 2) {
                builder.header(headers[i], headers[i + 1]);
            }
            try {
                builder.buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/socket.io/?" + query), new RawWs()).join();
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
                return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
            }
            throw new AssertionError("the upgrade was accepted");
        }

        void connect(String token) throws Exception {
            send("40{\"token\":\"" + token + "\"}");
            assertThat(nextMatching(p -> p.startsWith("40") || p.startsWith("44"))).startsWith("40{\"sid\":");
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (autoPong && text.equals("2")) {
                    Thread.ofVirtual().start(() -> {
                        send("3"); // sends are serialised by send()
                        pongsSent.incrementAndGet();
                    });
                } else {
                    received.add(text);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        /** One send at a time (java.net.http refuses a send while another is pending). */
        synchronized void send(String text) {
            ws.sendText(text, true).join();
        }

        synchronized void sendBinary(byte[] bytes) {
            ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
        }

        String next() throws InterruptedException {
            String text = received.poll(PATIENCE_S, TimeUnit.SECONDS);
            assertThat(text).as("a message within " + PATIENCE_S + " s").isNotNull();
            return text;
        }

        /** The next message matching (pings and others before it are skipped). */
        String nextMatching(java.util.function.Predicate<String> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_S);
            while (System.nanoTime() < deadline) {
                String text = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (text != null && wanted.test(text)) {
                    return text;
                }
            }
            throw new AssertionError("no matching message within " + PATIENCE_S + " s");
        }

        int closeCode() throws Exception {
            return closed.get(PATIENCE_S, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            if (!ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(t -> null);
            }
            ws.abort();
        }
    }
}
