package io.parley.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./parley chat <userId> <roomId> [edge number]}: a small terminal chat client on the native
 * protocol. Connects to an edge node of the local stack with a freshly minted token, joins the
 * room, sends every line typed on stdin, and prints what arrives. Two terminals chat together.
 */
public final class ChatCommand {
    private ChatCommand() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: parley chat <userId> <roomId> [edge number, default 1]");
            System.exit(64);
        }
        String userId = args[0];
        String roomId = args[1];
        int edge = args.length == 3 ? Integer.parseInt(args[2]) : 1;
        String[] ports = System.getenv().getOrDefault("PARLEY_EDGE_PORTS", "8080,8081").split(",");
        if (edge < 1 || edge > ports.length) {
            System.err.println("edge number must be 1.." + ports.length);
            System.exit(64);
        }
        String token = TokenCommand.issuer(System.getenv()).mint(userId, Duration.ofHours(12));
        URI uri = URI.create("ws://127.0.0.1:" + ports[edge - 1].strip() + "/ws?token=" + token);
        CountDownLatch closed = new CountDownLatch(1);
        WebSocket socket;
        try {
            socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(uri, new Printer(closed)).join();
        } catch (RuntimeException e) {
            System.err.println("could not connect to " + uri.getHost() + ":" + uri.getPort() + ": " + e.getMessage()
                    + " (is ./parley run up?)");
            System.exit(2);
            return;
        }
        AtomicLong refs = new AtomicLong();
        send(socket, Protocol.JOIN_ROOM, refs.incrementAndGet(), Json.MAPPER.createObjectNode().put("roomId", roomId));
        System.out.println("connected as " + userId + " to room " + roomId + " on edge " + edge + "; type a line to send, Ctrl-D to quit");
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = stdin.readLine()) != null && closed.getCount() > 0; ) {
            if (line.isBlank()) {
                continue;
            }
            long ref = refs.incrementAndGet();
            send(socket, Protocol.SEND_MESSAGE, ref, Json.MAPPER.createObjectNode()
                    .put("roomId", roomId).put("content", line).put("clientMsgId", userId + "-" + System.nanoTime()));
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    private static void send(WebSocket socket, String op, long ref, ObjectNode data) {
        ObjectNode frame = Json.MAPPER.createObjectNode().put("op", op).put("ref", Long.toString(ref));
        frame.set("data", data);
        socket.sendText(Json.write(frame), true).join();
    }

    /** Prints each frame that arrives as one readable line. */
    private static final class Printer implements WebSocket.Listener {
        private final CountDownLatch closed;
        private final StringBuilder partial = new StringBuilder();

        Printer(CountDownLatch closed) {
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                System.out.println(render(partial.toString()));
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            System.out.println("closed by the server: " + statusCode + " " + reason);
            closed.countDown();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            System.out.println("connection error: " + error.getMessage());
            closed.countDown();
        }

        private static String render(String text) {
            try {
                JsonNode frame = Json.MAPPER.readTree(text);
                JsonNode data = frame.path("data");
                if (frame.has("event")) {
                    return switch (frame.get("event").asText()) {
                        case Protocol.NEW_MESSAGE -> "[" + data.path("seq").asLong() + "] "
                                + data.path("user").path("username").asText(data.path("userId").asText()) + ": " + data.path("content").asText();
                        case Protocol.USER_JOINED -> "* " + data.path("user").path("username").asText(data.path("userId").asText()) + " joined";
                        case Protocol.ONLINE_USERS -> "~ online now: " + String.join(", ",
                                Json.MAPPER.convertValue(data, String[].class));
                        case Protocol.USER_ONLINE -> "~ " + data.path("userId").asText() + " is online";
                        case Protocol.USER_OFFLINE -> "~ " + data.path("userId").asText() + " is offline";
                        case Protocol.MESSAGES_READ -> "~ " + data.path("userId").asText() + " read up to "
                                + data.path("readSeq").asLong();
                        case Protocol.USER_LEFT -> "* " + data.path("userId").asText() + " left";
                        case Protocol.PRESENCE_UPDATE -> "~ " + data.path("userId").asText() + " is "
                                + data.path("status").asText("?")
                                + (data.hasNonNull("customStatus") ? " (" + data.path("customStatus").asText() + ")" : "");
                        default -> frame.toString();
                    };
                }
                if (!frame.path("ok").asBoolean(true)) {
                    JsonNode error = frame.path("error");
                    return "! " + error.path("code").asText() + ": " + error.path("message").asText();
                }
                return "  (ok " + data + ")";
            } catch (Exception e) {
                return text;
            }
        }
    }
}
