package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A real WebSocket client of the native protocol for the end-to-end tests: replies are matched to
 * requests by {@code ref}; pushed events and ref-less replies queue up in arrival order.
 */
final class WsClient implements AutoCloseable {
    /** How long a test waits for something that should arrive before it fails (a deadline, not a latency bound). */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String name;
    private final WebSocket socket;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonNode> unmatchedReplies = new LinkedBlockingQueue<>();
    private final AtomicLong refs = new AtomicLong();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** Every pushed event received so far, by event name (consumed or not). */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> received = new ConcurrentHashMap<>();

    private WsClient(String name, String url, String token) {
        this.name = name;
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create(url), new Listener()).join();
    }

    static WsClient connect(String name, String url, String token) {
        return new WsClient(name, url, token);
    }

    /** Tries to connect with a token that must be refused; returns the HTTP status of the refusal. */
    static int refusedStatus(String url, String token) {
        try {
            HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(url), new WebSocket.Listener() {}).join()
                    .abort();
            throw new AssertionError("the upgrade was accepted");
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }

    JsonNode request(String op, ObjectNode data) {
        try {
            return requestAsync(op, data).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(name + ": no reply to " + op + " within " + PATIENCE, e);
        }
    }

    /** Sends without waiting for a reply; the reply arrives in {@link #nextUnmatchedReply()} or by ref. */
    CompletableFuture<JsonNode> requestAsync(String op, ObjectNode data) {
        String ref = Long.toString(refs.incrementAndGet());
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(ref, reply);
        ObjectNode frame = Json.MAPPER.createObjectNode().put("op", op).put("ref", ref);
        frame.set("data", data);
        sendRaw(Json.write(frame));
        return reply;
    }

    synchronized void sendRaw(String text) {
        socket.sendText(text, true).join();
    }

    /** The next pushed event (skipping none). */
    JsonNode nextEvent() {
        return next(events, "event");
    }

    /** The next pushed event matching {@code wanted}, skipping others. */
    JsonNode nextEvent(Predicate<JsonNode> wanted) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = nextEvent();
            if (wanted.test(event)) {
                return event;
            }
        }
        throw new AssertionError(name + ": no matching event within " + PATIENCE);
    }

    /** The next pushed event matching {@code wanted} within {@code wait}, skipping others; null if none came. */
    JsonNode pollEvent(Predicate<JsonNode> wanted, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                JsonNode event = events.poll(left, TimeUnit.NANOSECONDS);
                if (event != null && wanted.test(event)) {
                    return event;
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    JsonNode nextUnmatchedReply() {
        return next(unmatchedReplies, "reply without ref");
    }

    private JsonNode next(BlockingQueue<JsonNode> queue, String what) {
        try {
            JsonNode frame = queue.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError(name + ": no " + what + " within " + PATIENCE);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** How many pushed events named {@code event} arrived so far (whether or not a test consumed them). */
    int receivedCount(String event) {
        java.util.concurrent.atomic.AtomicInteger n = received.get(event);
        return n == null ? 0 : n.get();
    }

    /** Completes with the close code the server sent (-1: the connection failed). */
    CompletableFuture<Integer> closeFuture() {
        return closed;
    }

    /** The close code the server sent (-1: the connection failed), waiting up to {@link #PATIENCE}. */
    int awaitClose() {
        try {
            return closed.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(name + ": not closed within " + PATIENCE, e);
        }
    }

    /** The close code if the connection has closed, else null. */
    Integer closeCode() {
        return closed.getNow(null);
    }

    boolean isOpen() {
        return !closed.isDone() && !socket.isInputClosed();
    }

    static ObjectNode data(String... keyValues) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            node.put(keyValues[i], keyValues[i + 1]);
        }
        return node;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(t -> null);
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode frame = parse(partial.toString());
                partial.setLength(0);
                if (frame.has("event")) {
                    received.computeIfAbsent(frame.path("event").asText(), e -> new java.util.concurrent.atomic.AtomicInteger())
                            .incrementAndGet();
                    events.add(frame);
                } else {
                    String ref = frame.path("ref").isTextual() ? frame.get("ref").asText() : null;
                    CompletableFuture<JsonNode> reply = ref == null ? null : pending.remove(ref);
                    if (reply != null) {
                        reply.complete(frame);
                    } else {
                        unmatchedReplies.add(frame);
                    }
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

        private JsonNode parse(String text) {
            try {
                return Json.MAPPER.readTree(text);
            } catch (Exception e) {
                throw new AssertionError("the server sent invalid JSON: " + text, e);
            }
        }
    }
}
