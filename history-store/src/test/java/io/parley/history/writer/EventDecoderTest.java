package io.parley.history.writer;

import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class EventDecoderTest {
    private final EventDecoder decoder = new EventDecoder();

    private LoggedEvent decode(String json) {
        return decoder.decode("t", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKnownTypeKeepsItsPayloadVerbatimAndIsDecoded() {
        RoomEvent event = new RoomEvent("e1", "lobby", 3, "alice", 1234, new RoomEvent.RoleSet("bob", "admin"));
        String payload = Json.write(event);
        LoggedEvent logged = decode(payload);
        assertThat(logged.event()).isEqualTo(event);
        assertThat(logged.payload()).isEqualTo(payload);
        assertThat(logged.type()).isEqualTo("role-set");
        assertThat(logged).extracting(LoggedEvent::roomId, LoggedEvent::seq, LoggedEvent::eventId, LoggedEvent::userId,
                LoggedEvent::timestamp).containsExactly("lobby", 3L, "e1", "alice", 1234L);
    }

    @Test
    void everyKnownBodyHasItsWireName() {
        assertThat(EventDecoder.typeOf(new RoomEvent.MessageSent("m", null, "hi", null))).isEqualTo("message-sent");
        assertThat(EventDecoder.typeOf(new RoomEvent.MemberLeft("client"))).isEqualTo("member-left");
        assertThat(EventDecoder.typeOf(new RoomEvent.ReadPosition(1))).isEqualTo("read-position");
    }

    @Test
    void anUnknownTypeIsKeptByItsEnvelope() {
        String payload = " {\"eventId\":\"e9\",\"roomId\":\"lobby\",\"seq\":9,\"userId\":\"alice\",\"timestamp\":77,"
                + "\"body\":{\"type\":\"room-archived\",\"why\":[1,{\"x\":null}]}}";
        LoggedEvent logged = decode(payload);
        assertThat(logged.event()).isNull();
        assertThat(logged.payload()).isEqualTo(payload);
        assertThat(logged).extracting(LoggedEvent::roomId, LoggedEvent::seq, LoggedEvent::type, LoggedEvent::eventId,
                LoggedEvent::userId, LoggedEvent::timestamp).containsExactly("lobby", 9L, "room-archived", "e9", "alice", 77L);
    }

    @Test
    void whatIsNoRoomEventIsRefused() {
        assertThat(decode("not json")).isNull();
        assertThat(decode("[1,2]")).isNull();
        assertThat(decode("{\"roomId\":\"lobby\",\"seq\":0,\"body\":{\"type\":\"member-joined\"}}")).isNull();
        assertThat(decode("{\"roomId\":\"bad room\",\"seq\":1,\"body\":{\"type\":\"x\"}}")).isNull();
        assertThat(decode("{\"seq\":1,\"body\":{\"type\":\"member-joined\"}}")).isNull();
        assertThat(decoder.decode("t", null)).isNull();
    }
}
