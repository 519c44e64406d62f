/*
 * TableVocabularyTest owns the unit tests of the table-driven mapping engine itself, on a small
 * made-up profile: bare and object arguments, renames, refused fields, rules that take nothing,
 * unknown events, pass-through, hidden events, conditional rules, argument sources (alternatives,
 * constants, nested paths, last element), reply rules.
 */
package io.parley.edge.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.parley.edge.vocab.Seed001Test.json;
import static io.parley.edge.vocab.TableVocabulary.constant;
import static io.parley.edge.vocab.TableVocabulary.field;
import static io.parley.edge.vocab.TableVocabulary.last;
import static io.parley.edge.vocab.TableVocabulary.object;
import static io.parley.edge.vocab.TableVocabulary.only;
import static org.assertj.core.api.Assertions.assertThat;

class TableVocabularyTest {
    private static final TableVocabulary V = TableVocabulary.builder("test", 1)
            .in("enter", new TableVocabulary.In("join-room", "roomId", Map.of("place", "roomId"),
                    Map.of("secret", ErrorBody.of(ErrorCode.INVALID_MESSAGE, "no secrets")), "enter"))
            .in("say", new TableVocabulary.In("send-message", null, Map.of("words", "content"), Map.of(), null))
            .in("beat", new TableVocabulary.In("ping", null, Map.of(), Map.of(), null))
            .out("new-message", "said", field("user.id|userId"), field("content"), field("missing|=none"))
            .outWhen("presence-update", "mood", data -> data.hasNonNull("status"), only("who", "userId", "how", "status"))
            .out("messages-read", "seen", last("messageIds"), constant("seen"))
            .out("user-joined", "joined", object("place", "roomId", "fresh", "=true"))
            .hide("online-users")
            .reply("enter", reply -> reply.ok() ? List.of(new Vocabulary.Emission("entered", List.of())) : List.of())
            .build();

    private static Vocabulary.Inbound.Request request(String event, JsonNode... args) {
        return (Vocabulary.Inbound.Request) V.inbound(event, List.of(args));
    }

    private static ErrorCode refused(String event, JsonNode... args) {
        return ((Vocabulary.Inbound.Refused) V.inbound(event, List.of(args))).error().code();
    }

    @Test
    void inboundArgumentShapes() {
        assertThat(request("enter", json("\"hall\""))).isEqualTo(new Vocabulary.Inbound.Request("join-room", json("{\"roomId\":\"hall\"}"), "enter"));
        assertThat(request("enter", json("{\"place\":\"hall\",\"other\":1}")).data()).isEqualTo(json("{\"roomId\":\"hall\"}"));
        assertThat(request("enter").data()).isEqualTo(json("{}"));
        assertThat(request("say", json("{\"words\":\"hi\"}")).data()).isEqualTo(json("{\"content\":\"hi\"}"));
        assertThat(request("beat", json("42"), json("\"x\"")).data()).isEqualTo(json("{}"));
    }

    @Test
    void inboundRefusals() {
        assertThat(refused("enter", json("{\"place\":\"hall\",\"secret\":\"s\"}"))).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(refused("enter", json("[1]"))).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(refused("say", json("\"bare\""))).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(refused("fly")).isEqualTo(ErrorCode.UNKNOWN_EVENT);
        Vocabulary.Inbound.Refused longName = (Vocabulary.Inbound.Refused) V.inbound("x".repeat(500) + "\u0000", List.of());
        assertThat(longName.error().message().length()).isLessThan(120);
    }

    @Test
    void outboundRules() {
        assertThat(V.outbound("new-message", json("{\"userId\":\"u1\",\"user\":{\"id\":\"u2\"},\"content\":\"hi\"}")))
                .isEqualTo(new Vocabulary.Emission("said", List.of(json("\"u2\""), json("\"hi\""), json("\"none\""))));
        assertThat(V.outbound("new-message", json("{\"userId\":\"u1\"}")).args())
                .containsExactly(json("\"u1\""), json("null"), json("\"none\""));
        assertThat(V.outbound("presence-update", json("{\"userId\":\"u1\",\"status\":\"away\",\"roomId\":\"r\"}")))
                .isEqualTo(new Vocabulary.Emission("mood", List.of(json("{\"who\":\"u1\",\"how\":\"away\"}"))));
        assertThat(V.outbound("presence-update", json("{\"userId\":\"u1\"}"))).isNull();
        assertThat(V.outbound("messages-read", json("{\"messageIds\":[\"a\",\"b\"]}")).args()).containsExactly(json("\"b\""), json("\"seen\""));
        assertThat(V.outbound("user-joined", json("{\"roomId\":\"r\",\"seq\":2}")).args())
                .containsExactly(json("{\"roomId\":\"r\",\"seq\":2,\"place\":\"r\",\"fresh\":true}"));
        assertThat(V.outbound("online-users", json("[]"))).isNull();
        assertThat(V.outbound("user-left", json("{\"roomId\":\"r\"}")))
                .isEqualTo(new Vocabulary.Emission("user-left", List.of(json("{\"roomId\":\"r\"}"))));
    }

    @Test
    void replyRules() {
        assertThat(V.reply("enter", ServerReply.ok("enter.3", null))).containsExactly(new Vocabulary.Emission("entered", List.of()));
        assertThat(V.reply("enter", ServerReply.error(null, ErrorBody.of(ErrorCode.ROOM_FULL, "full")))).isEmpty();
        assertThat(V.reply("unknown-tag", ServerReply.ok(null, null))).isEmpty();
        assertThat(V.reply(null, ServerReply.ok(null, null))).isEmpty();
    }
}
