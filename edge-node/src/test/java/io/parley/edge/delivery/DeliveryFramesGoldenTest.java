/*
 * DeliveryFramesGoldenTest owns the proof that the streaming delivery path (DeliveryDecoder keeps
 * a to-room record's data as its JSON text, OutboundEvent splices it into the frames) writes the
 * same frames, character for character, as the tree path it replaced (Jackson decodes the record
 * into a JsonNode tree, then encodes ServerEvent / a Socket.IO array of it): for native /ws, for
 * Socket.IO with and without the recovery offset, and for every vocabulary profile, on thousands
 * of records as the processors write them (Parley's serde), with data of every JSON kind and
 * strings of every character class. It also proves which records fall back to Jackson.
 */
package io.parley.edge.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.json.Json;
import io.parley.contracts.json.Serdes;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.contracts.wire.ServerEvent;
import io.parley.edge.session.EventData;
import io.parley.edge.session.OutboundEvent;
import io.parley.edge.socketio.EngineCodec;
import io.parley.edge.socketio.SioCodec;
import io.parley.edge.vocab.Vocabularies;
import io.parley.edge.vocab.Vocabulary;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryFramesGoldenTest {
    private static final List<String> EVENTS = List.of(Protocol.NEW_MESSAGE, Protocol.USER_JOINED, Protocol.USER_LEFT,
            Protocol.USER_TYPING, Protocol.USER_STOPPED_TYPING, Protocol.PRESENCE_UPDATE, Protocol.MESSAGES_READ,
            Protocol.ROOM_UPDATED, Protocol.MEMBER_ADDED, Protocol.USER_ONLINE, Protocol.USER_OFFLINE, Protocol.ONLINE_USERS,
            "an \"odd\" event\n", "événement");
    private static final List<Vocabulary> PROFILES = List.of(Vocabularies.DEFAULT, Vocabularies.SEED_001, Vocabularies.SEED_002);
    private final DeliveryDecoder decoder = new DeliveryDecoder();

    // --- The tree path as it was (verbatim from OutboundEvent before the streaming path) ---

    private static String oldNative(String event, JsonNode data) {
        return Json.write(new ServerEvent(event, data));
    }

    private static String oldSocketIo(String event, JsonNode data, String roomId, long seq) {
        return EngineCodec.message(roomId != null && seq > 0
                ? SioCodec.event(event, List.of(data == null ? Json.MAPPER.nullNode() : data,
                        Json.MAPPER.getNodeFactory().textNode(OutboundEvent.offset(roomId, seq))))
                : SioCodec.event(event, data));
    }

    private static String oldProfile(Vocabulary vocabulary, String event, JsonNode data, String roomId, long seq) {
        if (vocabulary.index() == 0) {
            return oldSocketIo(event, data, roomId, seq);
        }
        Vocabulary.Emission emission = vocabulary.outbound(event, data);
        return emission == null ? "" : EngineCodec.message(SioCodec.event(emission.event(), emission.args()));
    }

    @Test
    void streamedRecordsMakeTheSameFramesAsTheTreePathForEveryProtocolAndProfile() {
        Random random = new Random(20261206L);
        for (int i = 0; i < 3000; i++) {
            Delivery.ToRoom body = randomToRoom(random, i);
            assertSameFrames(Json.writeBytes(new Delivery("edge-" + i, i % 4, body)), body.event());
        }
    }

    @Test
    void everyCharacterClassInStringsIsWrittenAsJacksonWritesIt() {
        // Control characters (short and \\u escapes), quote, backslash, slash, DEL, Latin-1, BMP,
        // U+2028/2029, U+FFFF, and supplementary code points (surrogate pairs).
        StringBuilder all = new StringBuilder();
        for (int c = 0; c < 0x300; c++) {
            all.append((char) c);
        }
        all.append("\u2028\u2029\uFEFF\uFFFD\uFFFF").appendCodePoint(0x1F600).appendCodePoint(0x10FFFF).append("\"\\/");
        ObjectNode data = Json.MAPPER.createObjectNode().put("id", all.toString()).put("content", all.toString());
        data.putArray(all.toString()).add(all.toString());
        for (String event : EVENTS) {
            assertSameFrames(Json.writeBytes(new Delivery("e", 0, new Delivery.ToRoom("r:1", 7, event, data))), event);
            assertSameFrames(Json.writeBytes(new Delivery("e", 0, new Delivery.ToRoom(all.substring(0, 40), 7, event, data))), event);
        }
    }

    @Test
    void theTreeConstructorMakesTheSameFramesAsBefore() {
        Random random = new Random(7L);
        for (int i = 0; i < 1000; i++) {
            JsonNode data = i % 10 == 0 ? null : randomValue(random, 0);
            String event = EVENTS.get(random.nextInt(EVENTS.size()));
            String roomId = i % 3 == 0 ? null : "room-" + i;
            long seq = i % 4 == 0 ? 0 : i;
            OutboundEvent fresh = new OutboundEvent(event, data, roomId, seq);
            assertThat(fresh.nativeText()).isEqualTo(oldNative(event, data));
            for (Vocabulary profile : PROFILES) {
                assertThat(fresh.socketIoText(profile)).isEqualTo(oldProfile(profile, event, data, roomId, seq));
            }
        }
        OutboundEvent plain = new OutboundEvent("auth-success", Json.MAPPER.createObjectNode().put("userId", "u1"));
        assertThat(plain.nativeText()).isEqualTo("{\"event\":\"auth-success\",\"data\":{\"userId\":\"u1\"}}");
        assertThat(plain.socketIoText()).isEqualTo("42[\"auth-success\",{\"userId\":\"u1\"}]");
        assertThat(new OutboundEvent("x", (JsonNode) null).nativeText()).isEqualTo("{\"event\":\"x\"}");
        assertThat(new OutboundEvent("x", (JsonNode) null).socketIoText()).isEqualTo("42[\"x\",null]");
        assertThat(new OutboundEvent("x", Json.MAPPER.nullNode()).nativeText()).isEqualTo(oldNative("x", Json.MAPPER.nullNode()));
        assertThat(new OutboundEvent(null, Json.MAPPER.createObjectNode(), "r", 2).socketIoText())
                .isEqualTo(oldSocketIo(null, Json.MAPPER.createObjectNode(), "r", 2));
    }

    @Test
    void theDataTextIsTheRecordsBytesAndItsIdIsPickedUp() {
        Delivery.ToRoom body = new Delivery.ToRoom("r1", 3, Protocol.NEW_MESSAGE,
                Json.tree(new Protocol.Message("m3", "r1", "alice", "héllo 😀 \"q\"", "text", Protocol.isoTime(1L),
                        Protocol.User.of("alice", null, null), 3, "c-1", null)), "bob", 1234L, new Delivery.Ack("c-a", "7"));
        byte[] bytes = Json.writeBytes(new Delivery("edge-0", 0, body));
        RoomPush push = (RoomPush) decoder.deserialize("deliveries", bytes);
        assertThat(push.roomId()).isEqualTo("r1");
        assertThat(push.seq()).isEqualTo(3);
        assertThat(push.event()).isEqualTo(Protocol.NEW_MESSAGE);
        assertThat(push.dataId()).isEqualTo("m3");
        assertThat(push.excludeUserId()).isEqualTo("bob");
        assertThat(push.acceptedAt()).isEqualTo(1234L);
        assertThat(push.ack()).isEqualTo(new Delivery.Ack("c-a", "7"));
        assertThat(push.data().json()).isEqualTo(Json.write(body.data()));
        assertThat(push.dataTree()).isEqualTo(Serdes.delivery().deserialize("d", bytes).body() instanceof Delivery.ToRoom t ? t.data() : null);
    }

    @Test
    void fieldsInAnyOrderAndUnknownFieldsAreStreamedToo() {
        String json = "{\"body\":{\"type\":\"to-room\",\"extra\":{\"a\":[1,{\"b\":2}]},\"data\":{\"x\":{\"id\":\"inner\"},\"id\":\"m9\"},"
                + "\"event\":\"new-message\",\"seq\":9,\"roomId\":\"r\",\"ack\":null,\"excludeUserId\":null},"
                + "\"edgeSlot\":1,\"edgeNodeId\":\"e\",\"more\":[true]}";
        Object decoded = decoder.deserialize("deliveries", json.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded).isInstanceOf(RoomPush.class);
        RoomPush push = (RoomPush) decoded;
        assertThat(push.dataId()).isEqualTo("m9");
        assertThat(push.data().json()).isEqualTo("{\"x\":{\"id\":\"inner\"},\"id\":\"m9\"}");
        assertThat(push.seq()).isEqualTo(9);
        assertThat(push.ack()).isNull();
        assertSameFrames(json.getBytes(StandardCharsets.UTF_8), "new-message");
    }

    @Test
    void otherShapesAreLeftToJacksonAndDecodeAsBefore() {
        List<String> fallbacks = List.of(
                // the type id not first, data of a scalar kind or null, no data, a seq Jackson coerces, other types
                "{\"edgeNodeId\":\"e\",\"edgeSlot\":0,\"body\":{\"roomId\":\"r\",\"type\":\"to-room\",\"seq\":1,\"event\":\"x\",\"data\":{}}}",
                "{\"edgeNodeId\":\"e\",\"edgeSlot\":0,\"body\":{\"type\":\"to-room\",\"roomId\":\"r\",\"seq\":1,\"event\":\"x\",\"data\":\"text\"}}",
                "{\"edgeNodeId\":\"e\",\"edgeSlot\":0,\"body\":{\"type\":\"to-room\",\"roomId\":\"r\",\"seq\":1,\"event\":\"x\",\"data\":null}}",
                "{\"edgeNodeId\":\"e\",\"edgeSlot\":0,\"body\":{\"type\":\"to-room\",\"roomId\":\"r\",\"seq\":\"5\",\"event\":\"x\",\"data\":{}}}",
                "{\"edgeNodeId\":\"e\",\"edgeSlot\":\"0\",\"body\":{\"type\":\"to-room\",\"roomId\":\"r\",\"seq\":5,\"event\":\"x\",\"data\":{}}}",
                Json.write(new Delivery("e", 0, new Delivery.Reply("c", "1", false, null, ErrorBody.of(
                        io.parley.contracts.ErrorCode.INTERNAL_ERROR, "x")))),
                Json.write(new Delivery("e", 0, new Delivery.RateLimit("u", 5))),
                Json.write(new Delivery("e", 0, new Delivery.Subscribe("c", "r", "u"))),
                "{\"edgeNodeId\":\"e\",\"edgeSlot\":0}");
        for (String json : fallbacks) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            Object decoded = decoder.deserialize("deliveries", bytes);
            assertThat(decoded).as(json).isInstanceOf(Delivery.class).isEqualTo(Serdes.delivery().deserialize("d", bytes));
        }
        RoomPush noData = RoomPush.of((Delivery.ToRoom) ((Delivery) decoder.deserialize("d", fallbacks.get(2).getBytes(StandardCharsets.UTF_8))).body());
        assertThat(new OutboundEvent("x", noData.data(), "r", 1).nativeText()).isEqualTo(oldNative("x", Json.MAPPER.nullNode()));
    }

    @Test
    void malformedRecordsAreSerializationErrorsAsBefore() {
        for (String json : List.of("{\"body\":{\"type\":\"to-room\",\"data\":{\"a\":}}}", "{\"body\":{\"type\":\"to-room\",\"data\":[1,2}}",
                "not json", "{\"body\":{\"type\":\"nope\"}}")) {
            assertThatThrownBy(() -> decoder.deserialize("deliveries", json.getBytes(StandardCharsets.UTF_8)))
                    .as(json).isInstanceOf(SerializationException.class);
        }
        assertThat(decoder.deserialize("deliveries", null)).isNull();
    }

    @Test
    void onlySurrogateEscapesAreUnescaped() {
        assertThat(DeliveryDecoder.surrogatesUnescaped("{\"a\":\"x\\uD83D\\uDE00y\"}")).isEqualTo("{\"a\":\"x\uD83D\uDE00y\"}");
        String kept = "{\"a\":\"\\\\uD83D \\u0001 \\\" \\n\"}"; // an escaped backslash then "uD83D", a control escape
        assertThat(DeliveryDecoder.surrogatesUnescaped(kept)).isSameAs(kept);
        assertThat(DeliveryDecoder.surrogatesUnescaped("[\"\\\\\\uDBFF\\uDFFF\"]")).isEqualTo("[\"\\\\\uDBFF\uDFFF\"]");
    }

    @Test
    void quoteIsJacksonsStringLiteral() {
        Random random = new Random(3L);
        for (int i = 0; i < 2000; i++) {
            String text = randomString(random);
            assertThat(EventData.quote(text)).isEqualTo(Json.write(text));
        }
    }

    /** Decodes {@code bytes} both ways and compares every frame. */
    private void assertSameFrames(byte[] bytes, String event) {
        Delivery old = Serdes.delivery().deserialize("deliveries", bytes);
        Delivery.ToRoom toRoom = (Delivery.ToRoom) old.body();
        Object decoded = decoder.deserialize("deliveries", bytes);
        assertThat(decoded).as("streamed").isInstanceOf(RoomPush.class);
        RoomPush push = (RoomPush) decoded;
        assertThat(push.roomId()).isEqualTo(toRoom.roomId());
        assertThat(push.seq()).isEqualTo(toRoom.seq());
        assertThat(push.event()).isEqualTo(toRoom.event()).isEqualTo(event);
        assertThat(push.excludeUserId()).isEqualTo(toRoom.excludeUserId());
        assertThat(push.acceptedAt()).isEqualTo(toRoom.acceptedAt());
        assertThat(push.ack()).isEqualTo(toRoom.ack());
        assertThat(push.dataId()).isEqualTo(RoomPush.of(toRoom).dataId());
        assertThat(push.dataTree()).isEqualTo(toRoom.data());
        OutboundEvent streamed = new OutboundEvent(push.event(), push.data(), push.roomId(), push.seq());
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(streamed.nativeText()).as(text).isEqualTo(oldNative(toRoom.event(), toRoom.data()));
        for (Vocabulary profile : PROFILES) {
            OutboundEvent fresh = new OutboundEvent(push.event(), push.data(), push.roomId(), push.seq());
            assertThat(fresh.socketIoText(profile)).as(profile.name() + " " + text)
                    .isEqualTo(oldProfile(profile, toRoom.event(), toRoom.data(), toRoom.roomId(), toRoom.seq()));
        }
    }

    private static Delivery.ToRoom randomToRoom(Random random, int i) {
        String event = EVENTS.get(random.nextInt(EVENTS.size()));
        String roomId = random.nextInt(10) == 0 ? "r" + randomString(random) : "room-" + random.nextInt(1000) + ":x";
        long seq = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(Integer.MAX_VALUE) * (random.nextBoolean() ? 1L : 1000L);
        JsonNode data = switch (random.nextInt(4)) {
            case 0 -> Json.tree(new Protocol.Message("m" + i, roomId, "u" + random.nextInt(9), randomString(random), "text",
                    Protocol.isoTime(random.nextLong(4_000_000_000_000L)), Protocol.User.of("u1", randomString(random),
                            random.nextBoolean() ? null : "https://x/" + randomString(random)), seq,
                    random.nextBoolean() ? null : randomString(random), null));
            case 1 -> Json.tree(new Protocol.PresenceUpdate(roomId, "u" + i, "away", randomString(random), random.nextBoolean() ? null : 5L));
            case 2 -> {
                ArrayNode array = Json.MAPPER.createArrayNode();
                for (int k = random.nextInt(4); k > 0; k--) {
                    array.add(randomValue(random, 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = (ObjectNode) randomObject(random, 0);
                if (random.nextBoolean()) {
                    object.put("id", random.nextBoolean() ? "m" + i : null);
                }
                yield object;
            }
        };
        String exclude = random.nextInt(3) == 0 ? "u" + random.nextInt(5) : null;
        long acceptedAt = random.nextBoolean() ? 0 : random.nextLong(2_000_000_000_000L);
        Delivery.Ack ack = random.nextInt(4) == 0 ? new Delivery.Ack("c-" + i, random.nextBoolean() ? null : "" + i) : null;
        return new Delivery.ToRoom(roomId, seq, event, data, exclude, acceptedAt, ack);
    }

    private static JsonNode randomObject(Random random, int depth) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        for (int k = random.nextInt(6); k > 0; k--) {
            object.set(random.nextInt(4) == 0 ? randomString(random) : "f" + k, randomValue(random, depth + 1));
        }
        return object;
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory f = Json.MAPPER.getNodeFactory();
        return switch (random.nextInt(depth > 3 ? 9 : 11)) {
            case 0 -> f.textNode(randomString(random));
            case 1 -> f.numberNode(random.nextInt());
            case 2 -> f.numberNode(random.nextLong());
            case 3 -> f.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 4 -> f.numberNode(new BigInteger(100, random));
            case 5 -> f.booleanNode(random.nextBoolean());
            case 6 -> f.nullNode();
            case 7 -> f.numberNode(-0.0);
            case 8 -> f.textNode("");
            case 9 -> randomObject(random, depth);
            default -> {
                ArrayNode array = f.arrayNode();
                for (int k = random.nextInt(4); k > 0; k--) {
                    array.add(randomValue(random, depth + 1));
                }
                yield array;
            }
        };
    }

    /** Strings mixing every class of character Jackson treats differently (valid code points only). */
    static String randomString(Random random) {
        StringBuilder out = new StringBuilder();
        for (int k = random.nextInt(30); k > 0; k--) {
            int cp = switch (random.nextInt(8)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> "\"\\/'<>&".charAt(random.nextInt(7));
                case 2 -> 0x7F + random.nextInt(0x81);
                case 3 -> 0x100 + random.nextInt(0xD800 - 0x100);
                case 4 -> 0xE000 + random.nextInt(0x2000);
                case 5 -> 0x10000 + random.nextInt(0x100000);
                case 6 -> 0x2028 + random.nextInt(2);
                default -> 0x20 + random.nextInt(0x5F);
            };
            out.appendCodePoint(cp);
        }
        return out.toString();
    }
}
