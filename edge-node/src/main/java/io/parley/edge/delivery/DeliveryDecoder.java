/*
 * DeliveryDecoder owns how the edge reads a record of its deliveries partition: a to-room record
 * (nearly every record) is read with Jackson's streaming parser, its event data kept as the
 * record's own JSON text (the bytes between the data's braces, checked well-formed by the parser,
 * its top-level "id" picked up on the way) instead of being built into a JsonNode tree and
 * serialized again per protocol; every other record, and any to-room record in a shape this
 * reader does not expect (type not first, data not an object or array, a field of another JSON
 * type), is decoded by Jackson into the Delivery record exactly as before.
 */
package io.parley.edge.delivery;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.json.Json;
import io.parley.edge.session.EventData;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A Kafka value deserializer: a {@link RoomPush} for a to-room record, else the {@link Delivery};
 * malformed input is a SerializationException (the consumer skips the record). Stateless.
 */
public final class DeliveryDecoder implements Deserializer<Object> {

    /** The record is not in the shape the streaming reader takes: Jackson decodes it instead. */
    private static final class NotStreamable extends Exception {
        NotStreamable() {
            super(null, null, false, false);
        }
    }

    private static final NotStreamable NOT_STREAMABLE = new NotStreamable();

    @Override
    public Object deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            try {
                return readToRoom(data);
            } catch (NotStreamable e) {
                // another shape: Jackson's record decoding below
            }
            return Json.MAPPER.readValue(data, Delivery.class);
        } catch (IOException e) {
            throw new SerializationException("not a valid Delivery on " + topic + ": " + e.getMessage(), e);
        }
    }

    /** The record as a RoomPush; NotStreamable when it is not a to-room record in the usual shape. */
    static RoomPush readToRoom(byte[] bytes) throws IOException, NotStreamable {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw NOT_STREAMABLE;
            }
            RoomPush push = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "body" -> {
                        if (value != JsonToken.START_OBJECT) {
                            throw NOT_STREAMABLE;
                        }
                        push = readBody(p, bytes);
                    }
                    case "edgeNodeId" -> text(p, value); // not used here; of the type Jackson would take
                    case "edgeSlot" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                            throw NOT_STREAMABLE;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || push == null) {
                throw NOT_STREAMABLE; // no body: as Jackson makes it
            }
            return push;
        }
    }

    /** The to-room body's fields, the parser at its START_OBJECT; any other type is left to Jackson. */
    private static RoomPush readBody(JsonParser p, byte[] bytes) throws IOException, NotStreamable {
        if (p.nextToken() != JsonToken.FIELD_NAME || !"type".equals(p.currentName())
                || p.nextToken() != JsonToken.VALUE_STRING) {
            throw NOT_STREAMABLE; // the type id elsewhere: Jackson buffers and finds it
        }
        if (!"to-room".equals(p.getText())) {
            throw NOT_STREAMABLE;
        }
        String roomId = null;
        long seq = 0;
        String event = null;
        EventData data = null;
        String dataId = null;
        String excludeUserId = null;
        long acceptedAt = 0;
        Delivery.Ack ack = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "roomId" -> roomId = text(p, value);
                case "seq" -> seq = number(p, value);
                case "event" -> event = text(p, value);
                case "excludeUserId" -> excludeUserId = text(p, value);
                case "acceptedAt" -> acceptedAt = number(p, value);
                case "ack" -> ack = ack(p, value);
                case "data" -> {
                    if (value != JsonToken.START_OBJECT && value != JsonToken.START_ARRAY) {
                        throw NOT_STREAMABLE;
                    }
                    long start = p.currentTokenLocation().getByteOffset();
                    dataId = value == JsonToken.START_OBJECT ? skipObjectKeepingId(p) : skipArray(p);
                    long end = p.currentLocation().getByteOffset();
                    if (start < 0 || end <= start || end > bytes.length) {
                        throw NOT_STREAMABLE;
                    }
                    data = EventData.ofJson(surrogatesUnescaped(
                            new String(bytes, (int) start, (int) (end - start), StandardCharsets.UTF_8)));
                }
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw NOT_STREAMABLE;
        }
        return new RoomPush(roomId, seq, event, data, dataId, excludeUserId, acceptedAt, ack);
    }

    /**
     * {@code json} with every {@code \\uD800}-{@code \\uDFFF} escape replaced by its character: Jackson's
     * UTF-8 generator (the processors') escapes the two halves of a code point above U+FFFF
     * ({@code "\\uD83D\\uDE00"}), its String generator (the frames' before) writes them as they are
     * ({@code "😀"}); the frames keep the latter form. Other escapes are copied as they are. No
     * allocation when there is none (the usual case).
     */
    static String surrogatesUnescaped(String json) {
        if (json.indexOf("\\u") < 0) {
            return json;
        }
        int at = json.indexOf('\\'); // from the first escape: "\\\\u" is an escaped backslash, then a "u"
        StringBuilder out = null;
        int copied = 0;
        int n = json.length();
        for (int i = at; i < n; i++) {
            if (json.charAt(i) != '\\') {
                continue;
            }
            if (i + 1 < n && json.charAt(i + 1) == 'u' && i + 5 < n) {
                int c = hex4(json, i + 2);
                if (c >= 0xD800 && c <= 0xDFFF) {
                    if (out == null) {
                        out = new StringBuilder(n);
                    }
                    out.append(json, copied, i).append((char) c);
                    copied = i + 6;
                }
                i += 5;
            } else {
                i++; // a two-character escape: its second character (a backslash too, maybe) starts nothing
            }
        }
        return out == null ? json : out.append(json, copied, n).toString();
    }

    private static int hex4(String s, int from) {
        int value = 0;
        for (int k = from; k < from + 4; k++) {
            int digit = Character.digit(s.charAt(k), 16);
            if (digit < 0) {
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    /** Skips an object (parser at its START_OBJECT, left at its END_OBJECT); its last top-level "id" if that is a string. */
    private static String skipObjectKeepingId(JsonParser p) throws IOException {
        String id = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isId = "id".equals(p.currentName());
            JsonToken value = p.nextToken();
            if (isId) {
                id = value == JsonToken.VALUE_STRING ? p.getText() : null;
            }
            p.skipChildren();
        }
        return id;
    }

    private static String skipArray(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private static String text(JsonParser p, JsonToken value) throws IOException, NotStreamable {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        throw NOT_STREAMABLE;
    }

    private static long number(JsonParser p, JsonToken value) throws IOException, NotStreamable {
        if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        throw NOT_STREAMABLE;
    }

    private static Delivery.Ack ack(JsonParser p, JsonToken value) throws IOException, NotStreamable {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            throw NOT_STREAMABLE;
        }
        String connectionId = null;
        String ref = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "connectionId" -> connectionId = text(p, v);
                case "ref" -> ref = text(p, v);
                default -> p.skipChildren();
            }
        }
        return new Delivery.Ack(connectionId, ref);
    }
}
