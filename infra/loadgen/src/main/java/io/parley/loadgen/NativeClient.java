/*
 * NativeClient owns Parley's native /ws protocol for the load generator: the token as a Bearer
 * header at the upgrade, {"op","ref","data"} requests, {"ref","ok",...} replies and
 * {"event":"new-message"} deliveries; and, with resume on, what a resuming client does after its
 * socket dropped and was opened again (Client): each of its rooms is joined again with the last seq
 * it saw there (join-room {roomId, lastSeq}); the missed messages arrive as new-message (flagged
 * recovered) in seq order, then room-recovered, then live events, all counted by the same Tally
 * receiver as before the drop (so losses, duplicates and reordering count across reconnects).
 * Sends not acked before the drop are sent again with the same clientMsgId once their room is
 * joined again (the server acks a resend with the original id and seq and emits nothing else);
 * sends made while the socket is down wait for it.
 */
package io.parley.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

final class NativeClient extends Client {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOIN_REF = "j:";
    private static final String RESUME_REF = "r:";
    /** A resume join not answered within this is given up: the socket is dropped and opened again. */
    private static final long RESUME_TIMEOUT_MS = 30_000;
    /** Rooms resumed with room-recovered {truncated: true} (history beyond retention), over all clients. */
    static final AtomicLong TRUNCATED = new AtomicLong();
    /** Resume joins refused with something other than UNAVAILABLE, over all clients. */
    static final AtomicLong RESUME_REFUSED = new AtomicLong();

    private final Map<String, CompletableFuture<Long>> joins = new ConcurrentHashMap<>();
    /** roomId -> the highest seq seen there (join ack, any sequenced event). */
    private final Map<String, Long> lastSeq = new ConcurrentHashMap<>();
    /** Rooms joined on the current socket: sends to them go out at once. */
    private final Set<String> joinedHere = ConcurrentHashMap.newKeySet();
    /** Sends not yet answered, clientMsgId -> (room, text), in send order. */
    private final Map<String, Unanswered> pending = new LinkedHashMap<>();

    private record Unanswered(String roomId, String text) {}

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
        if (resume) {
            synchronized (pending) {
                pending.put(clientMsgId, new Unanswered(roomId, text));
            }
            if (!up || !joinedHere.contains(roomId)) {
                return; // sent once the room is joined again
            }
        }
        sendText(sendFrame(roomId, text, clientMsgId));
    }

    private static String sendFrame(String roomId, String text, String clientMsgId) {
        return "{\"op\":\"send-message\",\"ref\":\"" + clientMsgId + "\",\"data\":{\"roomId\":\"" + roomId
                + "\",\"content\":\"" + text + "\",\"clientMsgId\":\"" + clientMsgId + "\"}}";
    }

    @Override
    void keepAlive() {
        checkAlive();
        sendText("{\"op\":\"ping\",\"ref\":\"p\"}");
    }

    @Override
    void lost() {
        joinedHere.clear();
    }

    @Override
    void reopened() {
        for (String room : List.copyOf(lastSeq.keySet())) {
            resumeRoom(room);
        }
    }

    private void resumeRoom(String room) {
        long seq = lastSeq.getOrDefault(room, 0L);
        sendText("{\"op\":\"join-room\",\"ref\":\"" + RESUME_REF + room + "\",\"data\":{\"roomId\":\"" + room
                + "\",\"lastSeq\":" + seq + "}}");
        CompletableFuture<Long> answered = new CompletableFuture<>();
        CompletableFuture<Long> previous = joins.put(RESUME_REF + room, answered);
        if (previous != null) {
            previous.cancel(false);
        }
        answered.orTimeout(RESUME_TIMEOUT_MS, TimeUnit.MILLISECONDS).whenComplete((s, failure) -> {
            if (failure instanceof java.util.concurrent.TimeoutException && joins.remove(RESUME_REF + room, answered)) {
                restart(); // no answer: open another socket and resume again
            }
        });
    }

    /** The room is joined on this socket: the sends still unanswered go (again) with their clientMsgId. */
    private void resumed(String room) {
        joinedHere.add(room);
        List<String> again = new ArrayList<>();
        synchronized (pending) {
            pending.forEach((id, send) -> {
                if (send.roomId().equals(room)) {
                    again.add(sendFrame(room, send.text(), id));
                }
            });
        }
        again.forEach(this::sendText);
    }

    private void seen(JsonNode data) {
        String room = data.path("roomId").asText(null);
        long seq = data.path("seq").asLong(0);
        if (room != null && seq > 0) {
            lastSeq.merge(room, seq, Math::max);
        }
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
            JsonNode data = node.path("data");
            if ("new-message".equals(event.asText())) {
                receiver.delivered(data.path("roomId").asText(), data.path("seq").asLong(),
                        data.path("clientMsgId").asText(null), nowNanos);
            } else if ("room-recovered".equals(event.asText()) && data.path("truncated").asBoolean(false)) {
                TRUNCATED.incrementAndGet();
            }
            if (!data.path("roomId").isMissingNode() && lastSeq.containsKey(data.path("roomId").asText())) {
                seen(data);
            }
            return;
        }
        String ref = node.path("ref").asText(null);
        if (ref == null || ref.equals("p")) {
            return;
        }
        boolean ok = node.path("ok").asBoolean(false);
        if (ref.startsWith(JOIN_REF) || ref.startsWith(RESUME_REF)) {
            CompletableFuture<Long> joined = joins.remove(ref);
            String room = ref.substring(2);
            if (ref.startsWith(JOIN_REF)) {
                if (joined != null) {
                    if (ok) {
                        lastSeq.merge(room, node.path("data").path("seq").asLong(), Math::max);
                        joinedHere.add(room);
                        joined.complete(node.path("data").path("seq").asLong());
                    } else {
                        joined.completeExceptionally(new IllegalStateException("join refused: " + node.path("error")));
                    }
                }
                return;
            }
            if (joined == null) {
                return;
            }
            joined.complete(0L);
            if (ok) {
                resumed(room);
            } else if ("UNAVAILABLE".equals(node.path("error").path("code").asText())) {
                long waitMs = node.path("error").path("retryAfterMs").asLong(500)
                        + java.util.concurrent.ThreadLocalRandom.current().nextLong(100);
                later(waitMs, () -> {
                    if (up && !joinedHere.contains(room)) {
                        resumeRoom(room);
                    }
                });
            } else {
                RESUME_REFUSED.incrementAndGet();
            }
            return;
        }
        if (resume) {
            synchronized (pending) {
                if (pending.remove(ref) == null) {
                    return; // answered already (a resend raced its original's answer)
                }
            }
        }
        tally.replied(ref, ok, Tally.refusal(node.path("error").path("code").asText(null),
                node.path("error").has("retryAfterMs")), members, nowNanos);
    }

    /** Sends not answered yet (resume on). */
    int unanswered() {
        synchronized (pending) {
            return pending.size();
        }
    }
}
