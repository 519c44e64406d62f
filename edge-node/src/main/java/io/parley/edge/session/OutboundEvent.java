/*
 * OutboundEvent owns "encode once per delivery": one pushed event shared by every local recipient,
 * with its wire form per protocol (native /ws, Socket.IO) computed at most once.
 */
package io.parley.edge.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ServerEvent;
import io.parley.edge.socketio.EngineCodec;
import io.parley.edge.socketio.SioCodec;

/** A server event for many sockets; each protocol's form is encoded on first use and then shared. */
public final class OutboundEvent {
    private final String event;
    private final JsonNode data;
    private volatile String nativeText;
    private volatile String socketIoText;

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

    /** {@code 42["new-message",{...}]}: the Engine.IO message packet of a Socket.IO EVENT. */
    public String socketIoText() {
        String text = socketIoText;
        if (text == null) {
            text = EngineCodec.message(SioCodec.event(event, data));
            socketIoText = text;
        }
        return text;
    }
}
