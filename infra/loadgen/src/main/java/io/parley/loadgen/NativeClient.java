/*
 * NativeClient owns Parley's native /ws protocol for the load generator: the token as a Bearer
 * header at the upgrade, {"op","ref","data"} requests, {"ref","ok",...} replies and
 * {"event":"new-message"} deliveries.
 */
package io.parley.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

final class NativeClient extends Client {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOIN_REF = "j:";
    private final Map<String, CompletableFuture<Long>> joins = new ConcurrentHashMap<>();

    NativeClient(int index, String userId, String token, Tally tally) {
        super(index, userId, token, tally);
    }

    @Override
    URI uri(String base) {
        return URI.create(base);
    }

    @Override
    void configure(WebSocket.Builder builder) {
        builder.header("Authorization", "Bearer " + token);
    }

    @Override
    void opened() {
        ready.complete(null);
    }

    @Override
    CompletableFuture<Long> join(String roomId) {
        CompletableFuture<Long> joined = new CompletableFuture<>();
        joins.put(JOIN_REF + roomId, joined);
        sendText("{\"op\":\"join-room\",\"ref\":\"" + JOIN_REF + roomId + "\",\"data\":{\"roomId\":\"" + roomId + "\"}}");
        return joined;
    }

    @Override
    void sendMessage(String roomId, String text, String clientMsgId) {
        sendText("{\"op\":\"send-message\",\"ref\":\"" + clientMsgId + "\",\"data\":{\"roomId\":\"" + roomId
                + "\",\"content\":\"" + text + "\",\"clientMsgId\":\"" + clientMsgId + "\"}}");
    }

    @Override
    void keepAlive() {
        sendText("{\"op\":\"ping\",\"ref\":\"p\"}");
    }

    @Override
    void onFrame(String frame, long nowNanos) {
        JsonNode node;
        try {
            node = JSON.readTree(frame);
        } catch (Exception e) {
            return;
        }
        JsonNode event = node.get("event");
        if (event != null) {
            if ("new-message".equals(event.asText())) {
                JsonNode data = node.path("data");
                receiver.delivered(data.path("roomId").asText(), data.path("seq").asLong(),
                        data.path("clientMsgId").asText(null), nowNanos);
            }
            return;
        }
        String ref = node.path("ref").asText(null);
        if (ref == null || ref.equals("p")) {
            return;
        }
        boolean ok = node.path("ok").asBoolean(false);
        if (ref.startsWith(JOIN_REF)) {
            CompletableFuture<Long> joined = joins.remove(ref);
            if (joined != null) {
                if (ok) {
                    joined.complete(node.path("data").path("seq").asLong());
                } else {
                    joined.completeExceptionally(new IllegalStateException("join refused: " + node.path("error")));
                }
            }
            return;
        }
        tally.replied(ref, ok, Tally.refusal(node.path("error").path("code").asText(null),
                node.path("error").has("retryAfterMs")), members, nowNanos);
    }
}
