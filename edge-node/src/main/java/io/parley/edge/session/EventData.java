/*
 * EventData owns the data of a pushed event in the two forms the edge needs: its JSON text (what
 * the frames splice in; for a room event read from deliveries, the record's own bytes of the data,
 * never parsed into a tree) and its JsonNode tree (only for what inspects or reshapes the data: a
 * vocabulary profile, the sender's ack). Each form is computed from the other at most once.
 */
package io.parley.edge.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;

/** Thread-safe: the lazily computed form is published through a volatile field (a benign race computes equal values). */
public final class EventData {
    private volatile String json;
    private volatile JsonNode tree;

    private EventData(String json, JsonNode tree) {
        this.json = json;
        this.tree = tree;
    }

    /** Data given as compact JSON text, as Parley's serializer wrote it (one JSON value, no surrounding whitespace). */
    public static EventData ofJson(String json) {
        if (json == null) {
            throw new IllegalArgumentException("json must not be null");
        }
        return new EventData(json, null);
    }

    /** Data given as a tree; null when there is none. */
    public static EventData ofTree(JsonNode tree) {
        return tree == null ? null : new EventData(null, tree);
    }

    /** The compact JSON text of the data (encoded from the tree on first use). */
    public String json() {
        String text = json;
        if (text == null) {
            text = Json.write(tree);
            json = text;
        }
        return text;
    }

    /** The data as a tree (parsed from the JSON text on first use). */
    public JsonNode tree() {
        JsonNode node = tree;
        if (node == null) {
            try {
                node = Json.MAPPER.readTree(json);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("event data is not JSON", e);
            }
            tree = node;
        }
        return node;
    }

    /**
     * {@code text} as a JSON string literal, exactly as Jackson writes it (Parley's one JSON
     * configuration): printable ASCII other than {@code "} and {@code \} is copied as is, anything
     * else goes through Jackson.
     */
    public static String quote(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return Json.write(text);
            }
        }
        return '"' + text + '"';
    }
}
