/*
 * SocketIoCodecTest owns the proof of the two wire formats against the protocol specs' examples:
 * Engine.IO v4 packets and polling payloads, Socket.IO v5 headers (attachments, namespace, ack id)
 * and payload checks, and the exact bytes of what the server sends.
 */
package io.parley.edge.socketio;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.edge.session.OutboundEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocketIoCodecTest {

    @Test
    void engineIoPacketsAndPayloads() throws Exception {
        assertThat(EngineCodec.decode("4hello")).isEqualTo(EngineCodec.Packet.text('4', "hello"));
        assertThat(EngineCodec.decode("2probe").data()).isEqualTo("probe");
        assertThat(EngineCodec.decode("bAQID").binary()).containsExactly(1, 2, 3);
        List<EngineCodec.Packet> packets = EngineCodec.decodePayload("4hello\u001e2\u001e6");
        assertThat(packets).extracting(EngineCodec.Packet::type).containsExactly('4', '2', '6');
        assertThat(EngineCodec.encodePayload(List.of("42[\"a\"]", "2"))).isEqualTo("42[\"a\"]\u001e2");
        assertThatThrownBy(() -> EngineCodec.decode("")).isInstanceOf(EngineCodec.MalformedException.class);
        assertThatThrownBy(() -> EngineCodec.decode("7x")).isInstanceOf(EngineCodec.MalformedException.class);
        assertThatThrownBy(() -> EngineCodec.decode("b!!")).isInstanceOf(EngineCodec.MalformedException.class);
        assertThatThrownBy(() -> EngineCodec.decodePayload("4a\u001e\u001e4b")).isInstanceOf(EngineCodec.MalformedException.class);
        assertThat(Json.MAPPER.readTree(EngineCodec.open("s1", true, 25000, 20000, 1000).substring(1)))
                .isEqualTo(Json.MAPPER.readTree("{\"sid\":\"s1\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                        + "\"pingTimeout\":20000,\"maxPayload\":1000}"));
        assertThat(EngineCodec.HttpError.UNKNOWN_SID.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void socketIoHeadersAndPayloads() throws Exception {
        SioCodec.Packet event = SioCodec.decode("212[\"join-room\",\"lobby\"]");
        assertThat(event.type()).isEqualTo(SioCodec.EVENT);
        assertThat(event.ackId()).isEqualTo(12L);
        assertThat(event.namespace()).isEqualTo("/");
        assertThat(event.data().get(1).asText()).isEqualTo("lobby");

        SioCodec.Packet binary = SioCodec.decode("51-/admin,7[\"upload\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(binary.attachments()).isEqualTo(1);
        assertThat(binary.namespace()).isEqualTo("/admin");
        assertThat(binary.ackId()).isEqualTo(7L);

        SioCodec.Packet connect = SioCodec.decode("0{\"token\":\"t\"}");
        assertThat(connect.data().path("token").asText()).isEqualTo("t");
        assertThat(SioCodec.decode("0").data()).isNull();
        assertThat(SioCodec.decode("0/admin,").namespace()).isEqualTo("/admin");
        assertThat(SioCodec.decode("1").type()).isEqualTo(SioCodec.DISCONNECT);

        for (String bad : List.of("", "9", "2{\"a\":1}", "2[]", "2[{}]", "2[\"x\"", "0[1]", "3[1]", "4{}",
                "5[\"x\"]", "2" + "1".repeat(16) + "[\"x\"]")) {
            assertThatThrownBy(() -> SioCodec.decode(bad)).as(bad).isInstanceOf(SioCodec.MalformedException.class);
        }
        SioCodec.MalformedException withAck = org.junit.jupiter.api.Assertions.assertThrows(
                SioCodec.MalformedException.class, () -> SioCodec.decode("23[\"x\","));
        assertThat(withAck.ackId()).isEqualTo(3L);
    }

    @Test
    void whatTheServerSends() {
        assertThat(SioCodec.connected("abc")).isEqualTo("0{\"sid\":\"abc\"}");
        assertThat(SioCodec.connectError("/", "Not authorized", ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED, "expired")))
                .isEqualTo("4{\"message\":\"Not authorized\",\"data\":{\"code\":\"AUTHENTICATION_FAILED\",\"message\":\"expired\"}}");
        assertThat(SioCodec.connectError("/admin", "Invalid namespace", ErrorBody.of(ErrorCode.INVALID_MESSAGE, "x")))
                .startsWith("4/admin,{\"message\":\"Invalid namespace\"");
        assertThat(SioCodec.ackOk(5, Json.MAPPER.createObjectNode().put("seq", 3)))
                .isEqualTo("35[{\"success\":true,\"data\":{\"seq\":3}}]");
        assertThat(SioCodec.ackError(6, ErrorBody.of(ErrorCode.INVALID_ROOM, "bad")))
                .isEqualTo("36[{\"success\":false,\"error\":\"bad\",\"code\":\"INVALID_ROOM\"}]");
        assertThat(SioCodec.ackError(7, new ErrorBody(ErrorCode.RATE_LIMIT_EXCEEDED, "slow", 900L)))
                .isEqualTo("37[{\"success\":false,\"error\":\"slow\",\"code\":\"RATE_LIMIT_EXCEEDED\",\"retryAfterMs\":900}]");
        OutboundEvent event = new OutboundEvent("new-message", Json.MAPPER.createObjectNode().put("text", "hi"));
        assertThat(event.socketIoText()).isEqualTo("42[\"new-message\",{\"text\":\"hi\"}]");
        assertThat(event.socketIoText()).isSameAs(event.socketIoText()); // encoded once, shared
    }

    @Test
    void connectionStateRecoveryOnTheWire() {
        assertThat(SioCodec.connected("s1", "p1")).isEqualTo("0{\"sid\":\"s1\",\"pid\":\"p1\"}");
        assertThat(SioCodec.connected("s1", null)).isEqualTo("0{\"sid\":\"s1\"}");
        // A sequenced room event carries its offset "<roomId>:<seq>" last, one encoding for every recipient.
        OutboundEvent event = new OutboundEvent("new-message", Json.MAPPER.createObjectNode().put("text", "hi"), "lo:bby", 57);
        assertThat(event.socketIoText()).isEqualTo("42[\"new-message\",{\"text\":\"hi\"},\"lo:bby:57\"]");
        assertThat(event.socketIoText()).isSameAs(event.socketIoText());
        OutboundEvent presence = new OutboundEvent("presence-update", Json.MAPPER.createObjectNode(), "lobby", 0);
        assertThat(presence.socketIoText()).isEqualTo("42[\"presence-update\",{}]");
        // The offset's room resumes from the offset (what the client got); other rooms from the saved seqs.
        java.util.Map<String, Long> saved = new java.util.LinkedHashMap<>();
        saved.put("lo:bby", 60L);
        saved.put("b", 7L);
        assertThat(SioRecovery.withOffset(saved, "lo:bby:57")).containsExactly(
                java.util.Map.entry("lo:bby", 57L), java.util.Map.entry("b", 7L));
        assertThat(SioRecovery.withOffset(saved, "gone:99")).isEqualTo(saved);
        assertThat(SioRecovery.withOffset(saved, "garbage")).isEqualTo(saved);
        assertThat(SioRecovery.withOffset(saved, null)).isEqualTo(saved);
        assertThat(new SioRecovery(SioSessions.NONE, 1).newPid()).hasSize(24).isNotEqualTo(new SioRecovery(SioSessions.NONE, 1).newPid());
    }
}
