/*
 * OutboundEventTest owns the proof that an outbound event is mapped and encoded once per protocol
 * and per vocabulary profile, and shared (the same string) by every socket of that profile.
 */
package io.parley.edge.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.vocab.Vocabularies;
import io.parley.edge.vocab.Vocabulary;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class OutboundEventTest {

    @Test
    void eachProfileEncodesOnceAndSharesTheBytes() throws Exception {
        AtomicInteger mappings = new AtomicInteger();
        Vocabulary counting = new Vocabulary() {
            @Override public String name() { return "seed-002"; }
            @Override public int index() { return Vocabularies.SEED_002.index(); }
            @Override public Inbound inbound(String event, List<JsonNode> args) { return Vocabularies.SEED_002.inbound(event, args); }
            @Override public Emission outbound(String event, JsonNode data) {
                mappings.incrementAndGet();
                return Vocabularies.SEED_002.outbound(event, data);
            }
            @Override public List<Emission> reply(String tag, ServerReply reply) { return List.of(); }
        };
        OutboundEvent event = new OutboundEvent("user-typing", Json.MAPPER.readTree("{\"roomId\":\"c1\",\"userId\":\"u1\"}"));
        String first = event.socketIoText(counting);
        for (int socket = 0; socket < 100; socket++) {
            assertThat(event.socketIoText(counting)).isSameAs(first);
        }
        assertThat(mappings).hasValue(1);
        assertThat(first).isEqualTo("42[\"typing\",\"u1\",\"c1\"]");
        assertThat(event.socketIoText(Vocabularies.SEED_001)).isEqualTo(
                "42[\"typing-start\",{\"userId\":\"u1\",\"room\":\"c1\",\"isTyping\":true}]");
        assertThat(event.socketIoText(Vocabularies.DEFAULT)).isSameAs(event.socketIoText())
                .isEqualTo("42[\"user-typing\",{\"roomId\":\"c1\",\"userId\":\"u1\"}]");
    }

    @Test
    void anEventAProfileDoesNotShowIsEmpty() throws Exception {
        OutboundEvent event = new OutboundEvent("online-users", Json.MAPPER.readTree("[\"u1\"]"));
        assertThat(event.socketIoText(Vocabularies.SEED_002)).isEmpty();
        assertThat(event.socketIoText(Vocabularies.SEED_001)).isEqualTo("42[\"online-users\",[\"u1\"]]");
    }
}
