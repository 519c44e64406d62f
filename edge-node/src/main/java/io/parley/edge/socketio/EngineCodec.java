/*
 * EngineCodec owns the Engine.IO v4 wire format (socketio/engine.io-protocol, v4): packet types
 * 0-6 as one leading digit, the long-polling payload (packets joined by the record separator
 * 0x1e, binary packets as "b" + base64), the open packet's handshake JSON, and the JSON body of
 * HTTP errors ({"code":N,"message":"..."} with the reference server's codes and wording).
 */
package io.parley.edge.socketio;

import io.parley.contracts.json.Json;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stateless and thread-safe. */
public final class EngineCodec {
    public static final int PROTOCOL = 4;
    public static final char OPEN = '0';
    public static final char CLOSE = '1';
    public static final char PING = '2';
    public static final char PONG = '3';
    public static final char MESSAGE = '4';
    public static final char UPGRADE = '5';
    public static final char NOOP = '6';
    /** The separator of packets in a long-polling payload. */
    public static final char RECORD_SEPARATOR = '\u001e';

    private EngineCodec() {}

    /** One decoded packet: a text packet (type and data) or a binary one (bytes only). */
    public record Packet(char type, String data, byte[] binary) {
        public static Packet text(char type, String data) {
            return new Packet(type, data, null);
        }

        public boolean isBinary() {
            return binary != null;
        }
    }

    /** What the HTTP transport answers with 400 / 403 / 413: {@code {"code":N,"message":"..."}}. */
    public enum HttpError {
        UNKNOWN_TRANSPORT(0, "Transport unknown", 400),
        UNKNOWN_SID(1, "Session ID unknown", 400),
        BAD_HANDSHAKE_METHOD(2, "Bad handshake method", 400),
        BAD_REQUEST(3, "Bad request", 400),
        FORBIDDEN(4, "Forbidden", 403),
        UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version", 400),
        PAYLOAD_TOO_LARGE(3, "Payload too large", 413);

        public final int code;
        public final String message;
        public final int status;

        HttpError(int code, String message, int status) {
            this.code = code;
            this.message = message;
            this.status = status;
        }

        public String body() {
            return "{\"code\":" + code + ",\"message\":\"" + message + "\"}";
        }
    }

    /** Thrown by the decoders for input that is not Engine.IO v4. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    /** Decodes one text packet (a WebSocket text message, or one element of a polling payload). */
    public static Packet decode(String text) throws MalformedException {
        if (text == null || text.isEmpty()) {
            throw new MalformedException("empty packet");
        }
        char type = text.charAt(0);
        if (type == 'b') {
            try {
                return new Packet(MESSAGE, null, Base64.getDecoder().decode(text.substring(1)));
            } catch (IllegalArgumentException e) {
                throw new MalformedException("bad base64 in a binary packet");
            }
        }
        if (type < OPEN || type > NOOP) {
            throw new MalformedException("unknown packet type '" + printable(type) + "'");
        }
        return Packet.text(type, text.substring(1));
    }

    /** Decodes a long-polling POST body: packets separated by 0x1e. */
    public static List<Packet> decodePayload(String body) throws MalformedException {
        if (body == null || body.isEmpty()) {
            throw new MalformedException("empty payload");
        }
        List<Packet> packets = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = body.indexOf(RECORD_SEPARATOR, start);
            packets.add(decode(end < 0 ? body.substring(start) : body.substring(start, end)));
            if (end < 0) {
                return packets;
            }
            start = end + 1;
        }
    }

    /** Joins encoded packets into one long-polling GET body. */
    public static String encodePayload(List<String> packets) {
        return String.join(String.valueOf(RECORD_SEPARATOR), packets);
    }

    /** The open packet: {@code 0{"sid":..,"upgrades":[..],"pingInterval":..,"pingTimeout":..,"maxPayload":..}}. */
    public static String open(String sid, boolean canUpgrade, long pingIntervalMs, long pingTimeoutMs, int maxPayload) {
        Map<String, Object> handshake = new LinkedHashMap<>();
        handshake.put("sid", sid);
        handshake.put("upgrades", canUpgrade ? List.of("websocket") : List.of());
        handshake.put("pingInterval", pingIntervalMs);
        handshake.put("pingTimeout", pingTimeoutMs);
        handshake.put("maxPayload", maxPayload);
        return OPEN + Json.write(handshake);
    }

    /** A message packet carrying {@code data} (a Socket.IO packet). */
    public static String message(String data) {
        return MESSAGE + data;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
