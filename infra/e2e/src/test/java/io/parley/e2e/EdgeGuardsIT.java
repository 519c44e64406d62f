package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;

/** What the edge refuses: bad tokens at the upgrade, bad frames with an error code on a socket that stays usable. */
@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class EdgeGuardsIT {

    @Test
    void badTokensAreRefusedAtTheUpgradeWithAReason(ParleyCluster parley) throws IOException {
        String url = parley.services.edgeUrl(0);
        String otherSecret = new TokenIssuer("some-other-secret-that-is-long-enough!!", "parley", "parley")
                .mint("mallory", Duration.ofMinutes(5));
        Instant past = Instant.now().minus(Duration.ofHours(2));
        String expired = parley.tokens.mint("alice", past, past.plus(Duration.ofMinutes(5)));
        String algNone = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"mallory\",\"iss\":\"parley\","
                + "\"aud\":[\"parley\"],\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}") + ".";

        assertThat(WsClient.refusedStatus(url, otherSecret)).isEqualTo(401);
        assertThat(WsClient.refusedStatus(url, expired)).isEqualTo(401);
        assertThat(WsClient.refusedStatus(url, algNone)).isEqualTo(401);

        assertThat(rawUpgrade(url, otherSecret)).startsWith("HTTP/1.1 401").containsIgnoringCase("signature");
        assertThat(rawUpgrade(url, expired)).startsWith("HTTP/1.1 401").containsIgnoringCase("expired");
        assertThat(rawUpgrade(url, algNone)).startsWith("HTTP/1.1 401").containsIgnoringCase("none");
        // No token at all is not refused at the upgrade: the client must then send auth {token}
        // within PARLEY_AUTH_TIMEOUT_MS (edge-node NativeAuthIT).
    }

    @Test
    void badFramesGetAnErrorCodeAndTheConnectionStaysUsable(ParleyCluster parley) {
        String room = TestStack.uniqueName("guard");
        try (WsClient client = parley.connect(TestStack.uniqueName("g"), 1)) {
            client.sendRaw("this is not json");
            assertThat(errorCode(client.nextUnmatchedReply())).isEqualTo("INVALID_MESSAGE");

            assertThat(errorCode(client.request("fly-to-the-moon", data("roomId", room)))).isEqualTo("UNKNOWN_EVENT");
            assertThat(errorCode(client.request("join-room", data("roomId", "no spaces allowed")))).isEqualTo("INVALID_ROOM");

            assertOk(client.request("join-room", data("roomId", room)));
            String tooLong = "x".repeat(ParleyCluster.MAX_MESSAGE_LENGTH + 1);
            assertThat(errorCode(client.request("send-message", data("roomId", room, "content", tooLong))))
                    .isEqualTo("INVALID_MESSAGE");
            assertThat(errorCode(client.request("send-message", data("roomId", room, "content", "")))).isEqualTo("INVALID_MESSAGE");

            assertThat(client.isOpen()).isTrue();
            JsonNode ack = client.request("send-message", data("roomId", room, "content", "still here"));
            assertOk(ack);
            assertThat(client.nextEvent(e -> e.path("event").asText().equals("new-message"))
                    .path("data").path("content").asText()).isEqualTo("still here");
        }
    }

    @Test
    void sendingToARoomNotJoinedIsNotAuthorized(ParleyCluster parley) {
        try (WsClient client = parley.connect(TestStack.uniqueName("n"), 2)) {
            JsonNode reply = client.request("send-message", data("roomId", TestStack.uniqueName("closed"), "content", "hi"));
            assertThat(errorCode(reply)).isEqualTo("AUTHORIZATION_FAILED");
        }
    }

    static String errorCode(JsonNode reply) {
        assertThat(reply.path("ok").asBoolean(true)).as("reply %s", reply).isFalse();
        return reply.path("error").path("code").asText();
    }

    /** A hand-written upgrade request, to read the refusal's status line and body as a client would. */
    private static String rawUpgrade(String wsUrl, String token) throws IOException {
        URI uri = URI.create(wsUrl);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) WsClient.PATIENCE.toMillis());
            String request = "GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            StringBuilder response = new StringBuilder();
            int n;
            while ((n = in.read(buffer)) > 0) {
                response.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                if (response.indexOf("\r\n\r\n") > 0 && response.length() > response.indexOf("\r\n\r\n") + 4) {
                    break;
                }
            }
            return response.toString();
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
