/*
 * OutboundEvent owns "encode once per delivery": one pushed event shared by every local recipient,
 * with its wire form per protocol (native /ws, Socket.IO) and per Socket.IO vocabulary profile
 * (io.parley.edge.vocab) computed at most once.
 */
package io.parley.edge.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ServerEvent;
import io.parley.edge.socketio.EngineCodec;
import io.parley.edge.socketio.SioCodec;
import io.parley.edge.vocab.Vocabularies;
import io.parley.edge.vocab.Vocabulary;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A server event for many sockets; each protocol's form is encoded on first use and then shared.
 * The default forms (native, Socket.IO) splice the data's JSON text between constant pieces (no
 * tree walked, no record serialized by reflection): the same text as Jackson wrote before
 * (OutboundEventTest compares both ways); only a vocabulary profile that reshapes the data reads its tree.
 */
public final class OutboundEvent {
    private final String event;
    private final EventData data;
    private final String roomId;
    private final long seq;
    private volatile String nativeText;
    private volatile String socketIoText;
    /** The Socket.IO form per vocabulary profile (index 0 unused: the default is socketIoText); "" = not shown. */
    private final AtomicReferenceArray<String> profileTexts = new AtomicReferenceArray<>(Vocabularies.COUNT);

    public OutboundEvent(String event, JsonNode data) {
        this(event, data, null, 0);
    }

    /** A room's event: {@code roomId} and its {@code seq} (0: unsequenced) say where it lies in the room's log. */
    public OutboundEvent(String event, JsonNode data, String roomId, long seq) {
        this(event, EventData.ofTree(data), roomId, seq);
    }

    /** As above, with the data as the deliveries record carried it (its JSON text; null: none). */
    public OutboundEvent(String event, EventData data, String roomId, long seq) {
        this.event = event;
        this.data = data;
        this.roomId = roomId;
        this.seq = seq;
    }

    public String event() { return event; }

    /** The Socket.IO recovery offset of a room's event: {@code "<roomId>:<seq>"} (room ids may hold ':', the seq is after the last). */
    public static String offset(String roomId, long seq) {
        return roomId + ":" + seq;
    }

    /** The room of a room event, else null. */
    public String roomId() { return roomId; }

    /** The room seq of a sequenced room event, else 0. */
    public long seq() { return seq; }

    /** The data as a tree (parsed on first use when it came as JSON text); null when there is none. */
    public JsonNode data() { return data == null ? null : data.tree(); }

    /** {@code {"event":"new-message","data":{...}}}: the native /ws text frame. */
    public String nativeText() {
        String text = nativeText;
        if (text == null) {
            // Benign race: two threads may both encode; both get equal strings.
            if (event == null) {
                text = Json.write(new ServerEvent(null, data()));
            } else if (data == null) {
                text = "{\"event\":" + EventData.quote(event) + "}"; // ServerEvent leaves a null data out
            } else {
                text = "{\"event\":" + EventData.quote(event) + ",\"data\":" + data.json() + "}";
            }
            nativeText = text;
        }
        return text;
    }

    /**
     * {@code 42["new-message",{...}]}: the Engine.IO message packet of a Socket.IO EVENT; a
     * sequenced room event carries its offset {@code "<roomId>:<seq>"} as the last argument, as
     * Socket.IO v4.6+ connection-state recovery appends one (the stock client keeps the last as
     * {@code _lastOffset} and sends it back when it reconnects). The offset is the event's, not
     * the socket's: the packet stays one encoding for every recipient on the node.
     */
    public String socketIoText() {
        String text = socketIoText;
        if (text == null) {
            if (event == null) {
                text = EngineCodec.message(roomId != null && seq > 0
                        ? SioCodec.event(null, java.util.List.of(data == null ? Json.MAPPER.nullNode() : data(),
                                Json.MAPPER.getNodeFactory().textNode(offset(roomId, seq))))
                        : SioCodec.event(null, data()));
            } else {
                StringBuilder out = new StringBuilder(event.length() + 32 + (data == null ? 4 : data.json().length()));
                out.append(EngineCodec.MESSAGE).append(SioCodec.EVENT).append('[').append(EventData.quote(event))
                        .append(',').append(data == null ? "null" : data.json());
                if (roomId != null && seq > 0) {
                    out.append(',').append(EventData.quote(offset(roomId, seq)));
                }
                text = out.append(']').toString();
            }
            socketIoText = text;
        }
        return text;
    }

    /**
     * The Engine.IO message packet of this event in {@code vocabulary} (e.g. seed 002's
     * {@code 42["typing","u1","c1"]}), mapped and encoded once per profile and shared by every
     * socket of that profile; the empty string when the profile does not show this event.
     */
    public String socketIoText(Vocabulary vocabulary) {
        int index = vocabulary.index();
        if (index == 0) {
            return socketIoText();
        }
        String text = profileTexts.get(index);
        if (text == null) {
            Vocabulary.Emission emission = vocabulary.outbound(event, data());
            text = emission == null ? "" : EngineCodec.message(SioCodec.event(emission.event(), emission.args()));
            if (!profileTexts.compareAndSet(index, null, text)) {
                text = profileTexts.get(index);
            }
        }
        return text;
    }
}
