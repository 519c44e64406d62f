/*
 * NativeFrames owns the envelope of the native /ws protocol (DESIGN.md section 5): a client text
 * frame {"op":..,"ref":..,"data":{..}} is split into ref, op and data, or refused with
 * INVALID_MESSAGE (malformed JSON, not an object, bad ref, missing op). What the op and data mean
 * is the protocol-neutral CommandParser's job.
 */
package io.parley.edge.ws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;

import java.nio.charset.StandardCharsets;

/** Stateless and thread-safe. */
public final class NativeFrames {
    /** Longer refs are refused (the ref is echoed in every reply). */
    public static final int MAX_REF_CHARS = 64;
    private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private NativeFrames() {}

    /** A decoded envelope or the error to answer with ({@code ref} is null if it could not be read). */
    public sealed interface Decoded permits Request, Malformed {}

    public record Request(String ref, String op, JsonNode data) implements Decoded {}

    public record Malformed(String ref, ErrorBody error) implements Decoded {}

    public static Decoded decode(String text) {
        JsonNode root;
        try {
            root = READER.readTree(text);
        } catch (Exception e) {
            return malformed(null, "malformed JSON");
        }
        if (root == null || !root.isObject()) {
            return malformed(null, "a frame must be a JSON object");
        }
        String ref = null;
        JsonNode refNode = root.get("ref");
        if (refNode != null && !refNode.isNull()) {
            if (!(refNode.isTextual() || refNode.isIntegralNumber())) {
                return malformed(null, "'ref' must be a string");
            }
            ref = refNode.asText();
            if (ref.length() > MAX_REF_CHARS) {
                return malformed(null, "'ref' is longer than " + MAX_REF_CHARS + " characters");
            }
        }
        JsonNode op = root.get("op");
        if (op == null || !op.isTextual()) {
            return malformed(ref, "missing 'op'");
        }
        return new Request(ref, op.textValue(), root.get("data"));
    }

    /** The UTF-8 length of {@code text}, without encoding it. */
    public static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static int utf8LengthSlow(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static Malformed malformed(String ref, String message) {
        return new Malformed(ref, ErrorBody.of(ErrorCode.INVALID_MESSAGE, message));
    }
}
