/*
 * SocketIoClient owns the minimal Socket.IO v5 over Engine.IO v4 client the load generator needs
 * for the yardstick, websocket transport only: open packet "0{...}", CONNECT "40{auth}", events
 * "42[name,data]", events with an ack id "42<id>[...]", acks "43<id>[...]", CONNECT_ERROR "44",
 * and the server's ping "2" answered with pong "3".
 */
package io.parley.loadgen;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

final class SocketIoClient extends Client {
    private final AtomicInteger ackIds = new AtomicInteger();
    /** Ack id -> what it answers: a join future or a clientMsgId. */
    private final Map<Integer, Object> pending = new ConcurrentHashMap<>();

    SocketIoClient(int index, String userId, String token, Tally tally) {
        super(index, userId, token, tally);
    }

    @Override
    URI uri(String base) {
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return URI.create(root + "/socket.io/?EIO=4&transport=websocket");
    }

    @Override
    void configure(WebSocket.Builder builder) {}

    @Override
    CompletableFuture<Long> join(String roomId) {
        CompletableFuture<Long> joined = new CompletableFuture<>();
        int id = ackIds.incrementAndGet();
        pending.put(id, joined);
        sendText("42" + id + "[\"join-room\",{\"roomId\":\"" + roomId + "\"}]");
        return joined;
    }

    @Override
    void sendMessage(String roomId, String text, String clientMsgId) {
        int id = ackIds.incrementAndGet();
        pending.put(id, clientMsgId);
        sendText("42" + id + "[\"send-message\",{\"roomId\":\"" + roomId + "\",\"content\":\"" + text
                + "\",\"clientMsgId\":\"" + clientMsgId + "\"}]");
    }

    @Override
    void keepAlive() {
        // Engine.IO v4: the server pings, the client answers (see onFrame).
    }

    @Override
    void onFrame(String frame, long nowNanos) {
        if (frame.isEmpty()) {
            return;
        }
        switch (frame.charAt(0)) {
            case '0' -> sendText("40{\"token\":\"" + token + "\"}"); // Engine.IO open: connect to "/"
            case '2' -> sendText("3");                                   // ping -> pong
            case '4' -> socketIo(frame.substring(1), nowNanos);          // Engine.IO message
            default -> { }
        }
    }

    /** One Socket.IO packet (default namespace, no attachments). */
    private void socketIo(String packet, long nowNanos) {
        if (packet.isEmpty()) {
            return;
        }
        char type = packet.charAt(0);
        switch (type) {
            case '0' -> ready.complete(null);
            case '4' -> ready.completeExceptionally(new IllegalStateException("connect refused: " + packet.substring(1)));
            case '2' -> {
                int start = 1;
                while (start < packet.length() && Character.isDigit(packet.charAt(start))) {
                    start++;
                }
                JsonNode array = parse(packet.substring(start));
                if (array != null && "new-message".equals(array.path(0).asText())) {
                    JsonNode data = array.path(1);
                    receiver.delivered(data.path("roomId").asText(), data.path("seq").asLong(),
                            data.path("clientMsgId").asText(null), nowNanos);
                }
            }
            case '3' -> {
                int end = 1;
                while (end < packet.length() && Character.isDigit(packet.charAt(end))) {
                    end++;
                }
                if (end == 1) {
                    return;
                }
                Object what = pending.remove(Integer.parseInt(packet.substring(1, end)));
                JsonNode array = parse(packet.substring(end));
                if (what == null || array == null) {
                    return;
                }
                JsonNode answer = array.path(0);
                boolean ok = answer.path("success").asBoolean(false);
                if (what instanceof CompletableFuture<?> future) {
                    @SuppressWarnings("unchecked")
                    CompletableFuture<Long> joined = (CompletableFuture<Long>) future;
                    if (ok) {
                        joined.complete(answer.path("data").path("seq").asLong());
                    } else {
                        joined.completeExceptionally(new IllegalStateException("join refused: " + answer));
                    }
                } else {
                    // seed 004's failure ack: {success:false, error:"<message>", code:"<ERROR_CODE>"}
                    tally.replied((String) what, ok, Tally.refusal(answer.path("code").asText(null), answer.has("retryAfterMs")),
                            members, nowNanos);
                }
            }
            default -> { }
        }
    }

    private static JsonNode parse(String json) {
        try {
            return NativeClient.JSON.readTree(json);
        } catch (Exception e) {
            return null;
        }
    }
}
