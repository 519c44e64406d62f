/*
 * SioCodec owns the Socket.IO v5 packet format (socketio/socket.io-protocol, v5) carried in
 * Engine.IO message packets: <type>[<attachments>-][<namespace>,][<ack id>][<JSON>], types
 * CONNECT 0, DISCONNECT 1, EVENT 2, ACK 3, CONNECT_ERROR 4, BINARY_EVENT 5, BINARY_ACK 6. It
 * decodes client packets (refusing anything malformed with a reason) and encodes what the server
 * sends: CONNECT ok, CONNECT_ERROR, EVENT, ACK, DISCONNECT.
 */
package io.parley.edge.socketio;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;

/** Stateless and thread-safe. */
public final class SioCodec {
    public static final int CONNECT = 0;
    public static final int DISCONNECT = 1;
    public static final int EVENT = 2;
    public static final int ACK = 3;
    public static final int CONNECT_ERROR = 4;
    public static final int BINARY_EVENT = 5;
    public static final int BINARY_ACK = 6;
    public static final String DEFAULT_NAMESPACE = "/";
    /** Longer namespaces and ack ids are refused (both are echoed). */
    static final int MAX_NAMESPACE_CHARS = 128;
    static final int MAX_ACK_ID_DIGITS = 15;
    private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SioCodec() {}

    /** A decoded client packet; {@code ackId} is null without one, {@code data} null without a payload. */
    public record Packet(int type, String namespace, Long ackId, int attachments, JsonNode data) {}

    /** Input that is not a Socket.IO v5 packet; {@code ackId} is set when the header was readable. */
    public static final class MalformedException extends Exception {
        private final transient Long ackId;
        private final String namespace;

        MalformedException(String message, String namespace, Long ackId) {
            super(message, null, false, false);
            this.namespace = namespace;
            this.ackId = ackId;
        }

        public Long ackId() { return ackId; }

        public String namespace() { return namespace; }
    }

    /** The header of a packet (everything before the JSON), read without parsing the JSON. */
    public record Header(int type, String namespace, Long ackId, int attachments, int payloadStart) {}

    /** Reads the header of {@code text}; throws for a malformed header. */
    public static Header header(String text) throws MalformedException {
        if (text == null || text.isEmpty()) {
            throw new MalformedException("empty Socket.IO packet", DEFAULT_NAMESPACE, null);
        }
        int type = text.charAt(0) - '0';
        if (type < CONNECT || type > BINARY_ACK) {
            throw new MalformedException("unknown Socket.IO packet type", DEFAULT_NAMESPACE, null);
        }
        int i = 1;
        int n = text.length();
        int attachments = 0;
        if (type == BINARY_EVENT || type == BINARY_ACK) {
            int start = i;
            while (i < n && Character.isDigit(text.charAt(i)) && i - start < 6) {
                i++;
            }
            if (i == start || i >= n || text.charAt(i) != '-') {
                throw new MalformedException("bad attachment count", DEFAULT_NAMESPACE, null);
            }
            attachments = Integer.parseInt(text, start, i, 10);
            i++;
        }
        String namespace = DEFAULT_NAMESPACE;
        if (i < n && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? n : comma;
            if (end - i > MAX_NAMESPACE_CHARS) {
                throw new MalformedException("namespace too long", DEFAULT_NAMESPACE, null);
            }
            namespace = text.substring(i, end);
            i = comma < 0 ? n : comma + 1;
        }
        Long ackId = null;
        int start = i;
        while (i < n && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i > start) {
            if (i - start > MAX_ACK_ID_DIGITS) {
                throw new MalformedException("ack id too long", namespace, null);
            }
            ackId = Long.parseLong(text, start, i, 10);
        }
        return new Header(type, namespace, ackId, attachments, i);
    }

    /** Decodes one packet (the data of an Engine.IO message packet). */
    public static Packet decode(String text) throws MalformedException {
        Header header = header(text);
        JsonNode data = null;
        if (header.payloadStart() < text.length()) {
            try {
                data = READER.readTree(text.substring(header.payloadStart()));
            } catch (Exception e) {
                throw new MalformedException("malformed JSON", header.namespace(), header.ackId());
            }
        }
        String problem = switch (header.type()) {
            case CONNECT -> data == null || data.isObject() ? null : "the CONNECT payload must be an object";
            case DISCONNECT -> null;
            case EVENT, BINARY_EVENT -> data != null && data.isArray() && !data.isEmpty()
                    && (data.get(0).isTextual() || data.get(0).isNumber()) ? null
                    : "an EVENT payload must be an array starting with the event name";
            case ACK, BINARY_ACK -> header.ackId() != null && data != null && data.isArray() ? null
                    : "an ACK needs an id and an array payload";
            default -> "a client may not send this packet type";
        };
        if (problem != null) {
            throw new MalformedException(problem, header.namespace(), header.ackId());
        }
        return new Packet(header.type(), header.namespace(), header.ackId(), header.attachments(), data);
    }

    /** {@code 0{"sid":"..."}}: the namespace is connected. */
    public static String connected(String socketId) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("sid", socketId);
        return CONNECT + Json.write(body);
    }

    /**
     * {@code 0{"sid":"...","pid":"..."}}: connected with Socket.IO v4.6+ connection-state recovery:
     * {@code pid} is the private session id the client sends back (with its last offset) when it
     * reconnects; the same pid in the answer to that CONNECT makes the stock client's
     * {@code socket.recovered} true.
     */
    public static String connected(String socketId, String pid) {
        if (pid == null) {
            return connected(socketId);
        }
        ObjectNode body = Json.MAPPER.createObjectNode().put("sid", socketId).put("pid", pid);
        return CONNECT + Json.write(body);
    }

    /**
     * {@code 4[<namespace>,]{"message":"...","data":{"code":"...","message":"..."}}}: the stock
     * client raises connect_error with {@code err.message} and {@code err.data}.
     */
    public static String connectError(String namespace, String message, ErrorBody error) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("message", message);
        body.set("data", Json.tree(error));
        return CONNECT_ERROR + namespacePrefix(namespace) + Json.write(body);
    }

    /** {@code 1}: the server ends the socket (the stock client does not reconnect by itself). */
    public static String disconnect() {
        return String.valueOf(DISCONNECT);
    }

    /** {@code 2["name",data]} on the default namespace. */
    public static String event(String name, JsonNode data) {
        ArrayNode args = Json.MAPPER.createArrayNode().add(name);
        args.add(data == null ? Json.MAPPER.nullNode() : data);
        return EVENT + Json.write(args);
    }

    /** {@code 2["name",arg1,arg2,...]}: an event with any number of positional arguments. */
    public static String event(String name, java.util.List<JsonNode> args) {
        ArrayNode array = Json.MAPPER.createArrayNode().add(name);
        for (JsonNode arg : args) {
            array.add(arg == null ? Json.MAPPER.nullNode() : arg);
        }
        return EVENT + Json.write(array);
    }

    /** {@code 3<id>[{"success":true,"data":{...}}]}. */
    public static String ackOk(long ackId, JsonNode data) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("success", true);
        if (data != null && !data.isNull()) {
            body.set("data", data);
        }
        return ack(ackId, body);
    }

    /**
     * {@code 3<id>[{"success":false,"error":"<message>","code":"...","retryAfterMs":n}]}: seed 004's
     * shape ({@code error} a string), with Parley's code (and retryAfterMs when it has one) beside it.
     */
    public static String ackError(long ackId, ErrorBody error) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("success", false);
        body.put("error", error.message());
        body.put("code", error.code().name());
        if (error.retryAfterMs() != null) {
            body.put("retryAfterMs", error.retryAfterMs());
        }
        return ack(ackId, body);
    }

    private static String ack(long ackId, JsonNode body) {
        return ACK + Long.toString(ackId) + Json.write(Json.MAPPER.createArrayNode().add(body));
    }

    private static String namespacePrefix(String namespace) {
        return namespace == null || namespace.equals(DEFAULT_NAMESPACE) ? "" : namespace + ",";
    }
}
