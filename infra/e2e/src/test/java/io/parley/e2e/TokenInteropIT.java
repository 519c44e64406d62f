/*
 * TokenInteropIT owns the end-to-end proof, on the real stack (two edge nodes, the processors,
 * Kafka), that tokens from a third-party library work as they come: npm jsonwebtoken signs HS256
 * without a kid (or with a kid Parley never heard of); a native /ws client connects with one at the
 * upgrade, a stock socket.io-client connects without a token and authenticates with its first
 * event (auth -> auth-success), and they chat across the two edge nodes.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class TokenInteropIT {

    @Test
    void standardLibraryTokensWorkOnBothProtocolsAcrossEdgeNodes(ParleyCluster parley) {
        String room = TestStack.uniqueName("jwt-room");
        String alice = TestStack.uniqueName("jwt-alice");
        String bob = TestStack.uniqueName("jwt-bob");
        String aliceToken = NodeJwt.mint(ParleyCluster.SECRET, Map.of("sub", alice, "name", "Alice"), 600, null);
        String bobToken = NodeJwt.mint(ParleyCluster.SECRET, Map.of("sub", bob), 600, "their-own-key-id");
        String bobUrl = "http://127.0.0.1:" + parley.services.config().edgePorts().get(1);
        try (WsClient a = WsClient.connect(alice + "@edge-1", parley.services.edgeUrl(0), aliceToken);
             NodeSioClient b = NodeSioClient.start(bobUrl, null, List.of("websocket"))) {
            b.next("connect");
            JsonNode authed = b.request("auth", bobToken);
            assertThat(authed.path("success").asBoolean()).as("ack %s", authed).isTrue();
            assertThat(authed.at("/data/userId").asText()).isEqualTo(bob);
            assertThat(b.nextEvent("auth-success").at("/args/0/userId").asText()).isEqualTo(bob);

            assertThat(b.request("join-room", room).path("success").asBoolean()).isTrue();
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(a.request("send-message", data("roomId", room, "content", "hello from jsonwebtoken")));
            JsonNode message = b.nextEvent("new-message");
            assertThat(message.toString()).contains("hello from jsonwebtoken").contains(alice);
        }
    }
}
