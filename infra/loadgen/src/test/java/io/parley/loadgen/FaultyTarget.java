/*
 * FaultyTarget owns the deliberately faulty chat server of the load generator's tests: in-process
 * (Helidon WebSocket on 127.0.0.1), speaking either Parley's native protocol or the Socket.IO
 * framing, with rooms and a per-room seq, and per receiver a fixed pattern of faults: it drops,
 * duplicates and reorders deliveries and refuses some sends, counting exactly what it did.
 */
package io.parley.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

final class FaultyTarget implements AutoCloseable {
    /** Per receiver, of every 50 deliveries: the 7th is dropped, the 20th sent twice, the 33rd held back behind the 34th. */
    static final int CYCLE = 50;
    static final int DROP = 7;
    static final int DUPLICATE = 20;
    static final int HOLD = 33;
    /** Every 40th send is refused with RATE_LIMIT_EXCEEDED. */
    static final int REFUSE_EVERY = 40;

    private static final ObjectMapper JSON = new ObjectMapper();

    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    private final AtomicLong sends = new AtomicLong();
    private final Map<String, Room> rooms = new HashMap<>();
    private final List<Receiver> receivers = new ArrayList<>();
    private final boolean socketIo;
    private final WebServer server;

    FaultyTarget(boolean socketIo) {
        this.socketIo = socketIo;
        String path = socketIo ? "/socket.io/" : "/ws";
        server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(WsRouting.builder().endpoint(path, Listener::new))
                .build().start();
    }

    /** The base url the load generator connects to. */
    String url() {
        return socketIo ? "ws://127.0.0.1:" + server.port() : "ws://127.0.0.1:" + server.port() + "/ws";
    }

    /** Held-back deliveries never released (no later delivery came): lost for the receiver. */
    long stillHeld() {
        synchronized (receivers) {
            return receivers.stream().filter(r -> r.held != null).count();
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    private static final class Room {
        long seq;
        final List<Receiver> members = new ArrayList<>();
    }

    /** One connection and its fault pattern. */
    private final class Receiver {
        final WsSession session;
        long deliveries;
        String held;

        Receiver(WsSession session) {
            this.session = session;
        }

        synchronized void send(String frame) {
            session.send(frame, true);
        }

        /** Called under the room's lock: deliveries to one receiver are in seq order before the faults. */
        synchronized void deliver(String frame) {
            long k = ++deliveries % CYCLE;
            if (k == DROP) {
                dropped.incrementAndGet();
            } else if (k == DUPLICATE) {
                duplicated.incrementAndGet();
                send(frame);
                send(frame);
            } else if (k == HOLD) {
                held = frame;
            } else {
                send(frame);
                if (held != null) {
                    send(held);
                    held = null;
                    reordered.incrementAndGet();
                }
            }
        }
    }

    private final class Listener implements WsListener {
        private Receiver receiver;

        @Override
        public void onOpen(WsSession session) {
            receiver = new Receiver(session);
            synchronized (receivers) {
                receivers.add(receiver);
            }
            if (socketIo) {
                receiver.send("0{\"sid\":\"s\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
            }
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            try {
                if (socketIo) {
                    socketIo(text);
                } else {
                    JsonNode frame = JSON.readTree(text);
                    handle(frame.path("op").asText(), frame.path("data"), frame.path("ref").asText(null));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private void socketIo(String text) throws Exception {
            if (text.startsWith("40")) {
                receiver.send("40{\"sid\":\"n\"}");
            } else if (text.startsWith("42")) {
                int end = 2;
                while (Character.isDigit(text.charAt(end))) {
                    end++;
                }
                JsonNode array = JSON.readTree(text.substring(end));
                handle(array.path(0).asText(), array.path(1), text.substring(2, end));
            }
        }

        private void reply(String ref, boolean ok, String data) {
            if (socketIo) {
                // seed 004's acks: {success:true, data} / {success:false, error:"<message>", code}
                String body = ok ? "{\"success\":true,\"data\":" + data + "}"
                        : "{\"success\":false,\"error\":\"refused\"," + data.substring(1);
                receiver.send("43" + ref + "[" + body + "]");
            } else {
                receiver.send("{\"ref\":\"" + ref + "\",\"ok\":" + ok + (ok ? ",\"data\":" : ",\"error\":") + data + "}");
            }
        }

        private void handle(String op, JsonNode data, String ref) {
            String roomId = data.path("roomId").asText();
            switch (op) {
                case "join-room" -> {
                    long seq;
                    synchronized (rooms) {
                        Room room = rooms.computeIfAbsent(roomId, k -> new Room());
                        room.seq++; // a membership event takes a seq, as in Parley
                        room.members.add(receiver);
                        seq = room.seq;
                    }
                    reply(ref, true, "{\"roomId\":\"" + roomId + "\",\"seq\":" + seq + "}");
                }
                case "send-message" -> {
                    String clientMsgId = data.path("clientMsgId").asText();
                    if (sends.incrementAndGet() % REFUSE_EVERY == 0) {
                        refused.incrementAndGet();
                        reply(ref, false, "{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":\"slow down\",\"retryAfterMs\":1000}");
                        return;
                    }
                    accepted.incrementAndGet();
                    synchronized (rooms) {
                        Room room = rooms.get(roomId);
                        long seq = ++room.seq;
                        String message = "{\"id\":\"m" + seq + "\",\"roomId\":\"" + roomId + "\",\"userId\":\"x\",\"content\":\"t\","
                                + "\"messageType\":\"text\",\"createdAt\":\"1970-01-01T00:00:00.001Z\","
                                + "\"user\":{\"id\":\"x\",\"username\":\"x\",\"avatarUrl\":null},\"seq\":" + seq
                                + ",\"clientMsgId\":\"" + clientMsgId + "\"}";
                        reply(ref, true, message);
                        String frame = socketIo ? "42[\"new-message\"," + message + "]"
                                : "{\"event\":\"new-message\",\"data\":" + message + "}";
                        for (Receiver member : room.members) {
                            member.deliver(frame);
                        }
                    }
                }
                case "ping" -> reply(ref, true, "null");
                default -> reply(ref, false, "{\"code\":\"UNKNOWN_EVENT\"}");
            }
        }
    }
}
