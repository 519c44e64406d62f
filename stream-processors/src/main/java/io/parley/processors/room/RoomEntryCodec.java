/*
 * RoomEntryCodec owns the bytes of the room-state store's values: those a send reads or writes (a
 * room's head, its routing table, a user's connections, a clientMsgId's ack, a decision with its
 * writes) in a compact binary form (no reflection, no JSON), every other value as JSON; and it
 * reads both, so a store restored from a changelog written before (all JSON) reads as it did.
 */
package io.parley.processors.room;

import io.parley.contracts.json.JsonSerde;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The room-state value serde. A compact value starts with its kind's tag byte (1-5); a JSON value
 * starts with '{' (RoomEntry's Jackson form, with its "t" type property). Integers are big-endian,
 * a string is its UTF-8 length (int, -1: null) and bytes. The changelog is internal: this form is
 * not an interface of Parley's, but a store written by it is not readable by code of before.
 */
final class RoomEntryCodec implements Serde<RoomEntry>, Serializer<RoomEntry>, Deserializer<RoomEntry> {
    static final byte HEAD = 1;
    static final byte CONNECTIONS = 2;
    static final byte NODES = 3;
    static final byte CLIENT_MSG = 4;
    static final byte DONE = 5;

    private final JsonSerde<RoomEntry> json = new JsonSerde<>(RoomEntry.class);

    @Override
    public byte[] serialize(String topic, RoomEntry value) {
        return switch (value) {
            case null -> null;
            case RoomEntry.Head head -> ByteBuffer.allocate(1 + 8 + 8 + 4).put(HEAD).putLong(head.seq()).putLong(head.ops())
                    .putInt(head.flags() == null ? -1 : head.flags()).array();
            case RoomEntry.ClientMsg ack -> {
                byte[] id = utf8(ack.messageId());
                ByteBuffer out = ByteBuffer.allocate(1 + size(id) + 8 + 8).put(CLIENT_MSG);
                yield putString(out, id).putLong(ack.seq()).putLong(ack.createdAt()).array();
            }
            case RoomEntry.Connections connections -> {
                int size = 1 + 4;
                byte[][] strings = new byte[connections.connections().size() * 2][];
                int i = 0;
                for (Map.Entry<String, RoomEntry.ConnRef> e : connections.connections().entrySet()) {
                    strings[i] = utf8(e.getKey());
                    strings[i + 1] = utf8(e.getValue().edgeNodeId());
                    size += size(strings[i]) + size(strings[i + 1]) + 4;
                    i += 2;
                }
                ByteBuffer out = ByteBuffer.allocate(size).put(CONNECTIONS).putInt(connections.connections().size());
                i = 0;
                for (RoomEntry.ConnRef ref : connections.connections().values()) {
                    putString(putString(out, strings[i]), strings[i + 1]).putInt(ref.slot());
                    i += 2;
                }
                yield out.array();
            }
            case RoomEntry.Nodes nodes -> {
                int size = 1 + 4;
                byte[][] ids = new byte[nodes.nodes().size()][];
                int i = 0;
                for (String id : nodes.nodes().keySet()) {
                    ids[i] = utf8(id);
                    size += size(ids[i]) + 4 + 4;
                    i++;
                }
                ByteBuffer out = ByteBuffer.allocate(size).put(NODES).putInt(nodes.nodes().size());
                i = 0;
                for (RoomEntry.NodeRef ref : nodes.nodes().values()) {
                    putString(out, ids[i++]).putInt(ref.slot()).putInt(ref.connections());
                }
                yield out.array();
            }
            case RoomEntry.Done done when done.decision() != null -> done(topic, done);
            default -> json.serialize(topic, value);
        };
    }

    /** A decision: its fields in order, each write's value in this same form (length-prefixed; -1: a delete). */
    private byte[] done(String topic, RoomEntry.Done done) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        try {
            out.writeByte(DONE);
            Decision d = done.decision();
            writeString(out, d.kind().name());
            out.writeLong(d.seq());
            writeString(out, d.messageId());
            out.writeInt(d.targets() == null ? -1 : d.targets().size());
            if (d.targets() != null) {
                for (Decision.Target target : d.targets()) {
                    writeString(out, target.edgeNodeId());
                    out.writeInt(target.slot());
                }
            }
            writeString(out, d.error() == null ? null : d.error().name());
            writeString(out, d.message());
            writeLong(out, d.readSeq());
            out.writeInt(d.messageIds() == null ? -1 : d.messageIds().size());
            if (d.messageIds() != null) {
                for (String id : d.messageIds()) {
                    writeString(out, id);
                }
            }
            writeLong(out, d.createdAt());
            out.writeLong(done.ops());
            out.writeInt(done.writes() == null ? -1 : done.writes().size());
            if (done.writes() != null) {
                for (RoomEntry.Write write : done.writes()) {
                    writeString(out, write.key());
                    byte[] value = write.value() == null ? null : serialize(topic, write.value());
                    out.writeInt(value == null ? -1 : value.length);
                    if (value != null) {
                        out.write(value);
                    }
                }
            }
            writeString(out, done.clientMsgKey());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not throw
        }
        return bytes.toByteArray();
    }

    private RoomEntry.Done done(String topic, ByteBuffer in) {
        Decision.Kind kind = Decision.Kind.valueOf(string(in));
        long seq = in.getLong();
        String messageId = string(in);
        java.util.List<Decision.Target> targets = null;
        int n = in.getInt();
        if (n >= 0) {
            targets = new java.util.ArrayList<>(count(n, in));
            for (int i = 0; i < n; i++) {
                targets.add(new Decision.Target(string(in), in.getInt()));
            }
            targets = java.util.List.copyOf(targets);
        }
        String error = string(in);
        String message = string(in);
        Long readSeq = optionalLong(in);
        java.util.List<String> messageIds = null;
        n = in.getInt();
        if (n >= 0) {
            messageIds = new java.util.ArrayList<>(count(n, in));
            for (int i = 0; i < n; i++) {
                messageIds.add(string(in));
            }
            messageIds = java.util.List.copyOf(messageIds);
        }
        Long createdAt = optionalLong(in);
        Decision decision = new Decision(kind, seq, messageId, targets,
                error == null ? null : io.parley.contracts.ErrorCode.valueOf(error), message, readSeq, messageIds, createdAt);
        long ops = in.getLong();
        java.util.List<RoomEntry.Write> writes = null;
        n = in.getInt();
        if (n >= 0) {
            writes = new java.util.ArrayList<>(count(n, in));
            for (int i = 0; i < n; i++) {
                String key = string(in);
                int length = in.getInt();
                RoomEntry value = null;
                if (length >= 0) {
                    if (length > in.remaining()) {
                        throw new IllegalArgumentException("value past the end");
                    }
                    byte[] nested = new byte[length];
                    in.get(nested);
                    value = deserialize(topic, nested);
                }
                writes.add(new RoomEntry.Write(key, value));
            }
            writes = java.util.Collections.unmodifiableList(writes);
        }
        return new RoomEntry.Done(decision, ops, writes, string(in));
    }

    private static void writeString(java.io.DataOutputStream out, String s) throws java.io.IOException {
        byte[] bytes = utf8(s);
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    private static void writeLong(java.io.DataOutputStream out, Long value) throws java.io.IOException {
        out.writeByte(value == null ? 0 : 1);
        if (value != null) {
            out.writeLong(value);
        }
    }

    private static Long optionalLong(ByteBuffer in) {
        return in.get() == 0 ? null : in.getLong();
    }

    private static int count(int n, ByteBuffer in) {
        if (n > in.remaining()) {
            throw new IllegalArgumentException("bad count");
        }
        return n;
    }

    @Override
    public RoomEntry deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0 || data[0] < HEAD || data[0] > DONE) {
            return json.deserialize(topic, data); // JSON: everything of before, and the other kinds
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
            RoomEntry entry = switch (data[0]) {
                case HEAD -> {
                    long seq = in.getLong();
                    long ops = in.getLong();
                    int flags = in.getInt();
                    yield new RoomEntry.Head(seq, ops, flags < 0 ? null : flags);
                }
                case CLIENT_MSG -> new RoomEntry.ClientMsg(string(in), in.getLong(), in.getLong());
                case DONE -> done(topic, in);
                case CONNECTIONS -> {
                    int n = count(in);
                    Map<String, RoomEntry.ConnRef> connections = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        String id = string(in);
                        connections.put(id, new RoomEntry.ConnRef(string(in), in.getInt()));
                    }
                    yield new RoomEntry.Connections(connections);
                }
                default -> { // NODES
                    int n = count(in);
                    Map<String, RoomEntry.NodeRef> nodes = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        String id = string(in);
                        nodes.put(id, new RoomEntry.NodeRef(in.getInt(), in.getInt()));
                    }
                    yield new RoomEntry.Nodes(nodes);
                }
            };
            if (in.hasRemaining()) {
                throw new SerializationException("trailing bytes in a room-state value on " + topic);
            }
            return entry;
        } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException e) {
            throw new SerializationException("not a valid room-state value on " + topic, e);
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static int size(byte[] s) {
        return 4 + (s == null ? 0 : s.length);
    }

    private static ByteBuffer putString(ByteBuffer out, byte[] s) {
        out.putInt(s == null ? -1 : s.length);
        return s == null ? out : out.put(s);
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        if (length > in.remaining()) {
            throw new IllegalArgumentException("string past the end");
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    private static int count(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("bad count");
        }
        return n;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public Serializer<RoomEntry> serializer() { return this; }

    @Override
    public Deserializer<RoomEntry> deserializer() { return this; }
}
