/*
 * OutboundEvent owns "encode once per delivery": one pushed event shared by every local recipient,
 * with its wire form per protocol computed at most once.
 */
package io.parley.edge.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ServerEvent;

/** A server event for many sockets; {@link #nativeText()} is encoded on first use and then shared. */
public final class OutboundEvent {
    private final String event;
    private final JsonNode data;
    private volatile String nativeText;

    public OutboundEvent(String event, JsonNode data) {
        this.event = event;
        this.data = data;
    }

    public String event() { return event; }

    public JsonNode data() { return data; }

    /** {@code {"event":"new-message","data":{...}}}: the native /ws text frame. */
    public String nativeText() {
        String text = nativeText;
        if (text == null) {
            // Benign race: two threads may both encode; both get equal strings.
            text = Json.write(new ServerEvent(event, data));
            nativeText = text;
        }
        return text;
    }
}
