/*
 * NativeAuthIT owns the proof of authentication on /ws beyond the upgrade, with tokens minted by a
 * third-party library (npm jsonwebtoken, no kid or any kid): first-message auth (auth {token},
 * answered by auth-success; anything else first is refused and publishes nothing; no auth in time:
 * AUTH_TIMEOUT and close 4002), tokens expiring on an open socket (token-expiring, then a refresh
 * with the same sub keeps it working; a refresh for another user is refused; unrefreshed: the
 * error and close 4001), and the Origin check (same allow-list as Socket.IO's CORS; a wildcard
 * never comes with credentials). The real Helidon server, a recording publisher.
 */
package io.parley.edge.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.json.Json;
import io.parley.edge.EdgeConfig;
import io.parley.edge.EdgeNode;
import io.parley.edge.publish.RecordingPublisher;
import io.parley.edge.socketio.SocketIoConfig;
import io.parley.edge.ws.RawWsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NativeAuthIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    /**
     * Lifetime of the tokens that are meant to expire during a test: long enough that minting, starting
     * a client and connecting on a loaded machine still leave the warning and the refresh before the
     * expiry (a few seconds did not, with a Node.js process to start); the tests wait for it anyway.
     */
    private static final long SHORT_LIVED_S = 12;

    private static RecordingPublisher publisher;
    private static EdgeNode node;
    /** A second node: auth timeout 300 ms, any origin ("*"). */
    private static EdgeNode strict;

    @BeforeAll
    static void start() {
        publisher = new RecordingPublisher();
        node = new EdgeNode(EdgeConfig.forTest(AUTH, 1000, 1000), new TokenVerifier(AUTH), publisher).start(() -> true);
        EdgeConfig strictConfig = EdgeConfig.forTest(AUTH, 1000, 1000)
                .withSessionAuth(new SessionAuthConfig(300, 30_000))
                .withSocketIo(SocketIoConfig.defaults().withCorsOrigins(List.of("*")));
        strict = new EdgeNode(strictConfig, new TokenVerifier(AUTH), new RecordingPublisher()).start(() -> true);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
        if (strict != null) {
            strict.stop();
        }
    }

    private static String jwt(String sub, long seconds) {
        return NodeJwt.hs256(SECRET, Map.of("sub", sub), seconds);
    }

    private static RawWsClient connect(EdgeNode edge, String query, Map<String, String> headers) throws IOException {
        return RawWsClient.connect("127.0.0.1", edge.port(), "/ws" + query, headers);
    }

    private static JsonNode request(RawWsClient client, String ref, String op, String data) throws IOException {
        client.text("{\"op\":\"" + op + "\",\"ref\":\"" + ref + "\",\"data\":" + data + "}");
        return Json.MAPPER.readTree(client.awaitText("\"ref\":\"" + ref + "\""));
    }

    private static JsonNode event(RawWsClient client, String name) throws IOException {
        return Json.MAPPER.readTree(client.awaitText("\"event\":\"" + name + "\"")).get("data");
    }

    private static boolean connected(String user) {
        return publisher.userEvents.stream().anyMatch(e -> e.userId().equals(user) && e.body() instanceof UserEvent.Connected);
    }

    @Test
    void tokensFromAStandardLibraryConnectWithoutKidOrWithAnyKid() throws Exception {
        String noKid = jwt("jwt-jane", 300);
        String header = new String(Base64.getUrlDecoder().decode(noKid.split("\\.")[0]));
        assertThat(header).doesNotContain("kid");
        try (RawWsClient viaHeader = connect(node, "", Map.of("Authorization", "Bearer " + noKid));
             RawWsClient viaQuery = connect(node, "?token=" + NodeJwt.mint(SECRET, Map.of("sub", "jwt-kim"), 300, "their-key-7"), Map.of())) {
            assertThat(request(viaHeader, "1", "ping", "{}").get("ok").booleanValue()).isTrue();
            assertThat(request(viaQuery, "1", "ping", "{}").get("ok").booleanValue()).isTrue();
            await().atMost(30, TimeUnit.SECONDS).until(() -> connected("jwt-jane") && connected("jwt-kim"));
        }
        // Signed with another secret by the same library: refused at the upgrade.
        String forged = NodeJwt.hs256("some-other-secret-that-is-32-bytes-long", Map.of("sub", "jwt-mallory"), 300);
        try (RawWsClient refused = RawWsClient.open("127.0.0.1", node.port(), "/ws?token=" + forged, Map.of())) {
            assertThat(refused.handshake().status()).isEqualTo(401);
        }
    }

    @Test
    void aConnectionWithoutATokenMustSendAuthFirstAndIsAnsweredWithAuthSuccess() throws Exception {
        String token = jwt("first-fay", 300);
        try (RawWsClient client = connect(node, "", Map.of())) {
            JsonNode refused = request(client, "1", "join-room", "{\"roomId\":\"lobby\"}");
            assertThat(refused.at("/error/code").asText()).isEqualTo("AUTHENTICATION_FAILED");
            JsonNode bad = request(client, "2", "auth", "{\"token\":\"not.a.token\"}");
            assertThat(bad.at("/error/code").asText()).isEqualTo("AUTHENTICATION_FAILED");

            JsonNode ok = request(client, "3", "auth", "{\"token\":\"" + token + "\"}");
            assertThat(ok.get("ok").booleanValue()).isTrue();
            assertThat(ok.at("/data/userId").asText()).isEqualTo("first-fay");
            assertThat(event(client, "auth-success").get("userId").asText()).isEqualTo("first-fay");

            client.text("{\"op\":\"join-room\",\"ref\":\"4\",\"data\":{\"roomId\":\"lobby\"}}"); // answered by the processors (none here)
            await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.roomCommands.stream()
                    .anyMatch(c -> c.userId().equals("first-fay") && c.body() instanceof RoomCommand.Join));
        }
        // The refused join before auth published nothing: the only commands of the user came after auth.
        assertThat(publisher.roomCommands.stream().filter(c -> c.userId() == null)).isEmpty();
    }

    @Test
    void noAuthInTimeIsAnAuthTimeoutAndClose4002() throws Exception {
        try (RawWsClient client = connect(strict, "", Map.of())) {
            JsonNode error = Json.MAPPER.readTree(client.awaitText("AUTH_TIMEOUT"));
            assertThat(error.at("/error/code").asText()).isEqualTo("AUTH_TIMEOUT");
            assertThat(client.awaitClose().closeCode()).isEqualTo(4002);
        }
    }

    @Test
    void anExpiringTokenIsAnnouncedAndAFreshOneOfTheSameUserKeepsTheSocketOpen() throws Exception {
        String fresh = jwt("refresh-rita", 300);
        String otherUser = jwt("someone-else", 300);
        String shortLived = jwt("refresh-rita", SHORT_LIVED_S);
        long oldExpiry;
        try (RawWsClient client = connect(node, "?token=" + shortLived, Map.of())) {
            JsonNode expiring = event(client, "token-expiring");
            oldExpiry = expiring.get("expiresAt").asLong();
            assertThat(oldExpiry).isEqualTo(1000 * Json.MAPPER.readTree(
                    Base64.getUrlDecoder().decode(shortLived.split("\\.")[1])).get("exp").asLong());

            JsonNode wrongUser = request(client, "r1", "refresh", "{\"token\":\"" + otherUser + "\"}");
            assertThat(wrongUser.at("/error/code").asText()).isEqualTo("AUTHORIZATION_FAILED");
            JsonNode renewed = request(client, "r2", "refresh", "{\"token\":\"" + fresh + "\"}");
            assertThat(renewed.get("ok").booleanValue()).isTrue();
            assertThat(renewed.at("/data/expiresAt").asLong()).isGreaterThan(oldExpiry);

            // Past the old expiry, the socket still works.
            await().atMost(30, TimeUnit.SECONDS).until(() -> System.currentTimeMillis() > oldExpiry + 1_000);
            assertThat(request(client, "after", "ping", "{}").get("ok").booleanValue()).isTrue();
        }
    }

    @Test
    void anUnrefreshedTokenClosesTheSocketWith4001() throws Exception {
        try (RawWsClient client = connect(node, "?token=" + jwt("lapsed-lou", SHORT_LIVED_S), Map.of())) {
            assertThat(event(client, "token-expiring").get("expiresAt").asLong()).isPositive();
            JsonNode error = Json.MAPPER.readTree(client.awaitText("token expired"));
            assertThat(error.at("/error/code").asText()).isEqualTo("AUTHENTICATION_FAILED");
            RawWsClient.Frame close = client.awaitClose();
            assertThat(close.closeCode()).isEqualTo(4001);
            assertThat(close.closeReason()).isEqualTo("token expired");
        }
        await().atMost(30, TimeUnit.SECONDS).until(() -> publisher.userEvents.stream()
                .anyMatch(e -> e.userId().equals("lapsed-lou") && e.body() instanceof UserEvent.Disconnected));
    }

    @Test
    void wsChecksTheOriginAgainstTheSameAllowList() throws Exception {
        String token = jwt("origin-olga", 300);
        // Default node: no cross origin listed. No Origin (not a browser) and the same origin pass.
        try (RawWsClient evil = RawWsClient.open("127.0.0.1", node.port(), "/ws?token=" + token,
                Map.of("Origin", "http://evil.example"))) {
            assertThat(evil.handshake().status()).isEqualTo(403);
        }
        try (RawWsClient same = connect(node, "?token=" + token, Map.of("Origin", "http://127.0.0.1:" + node.port()))) {
            assertThat(request(same, "1", "ping", "{}").get("ok").booleanValue()).isTrue();
        }
        // "*": any origin, on /ws; on /socket.io/ the wildcard answer never carries credentials.
        try (RawWsClient any = connect(strict, "?token=" + token, Map.of("Origin", "http://evil.example"))) {
            assertThat(request(any, "1", "ping", "{}").get("ok").booleanValue()).isTrue();
        }
        HttpResponse<String> polling = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + strict.port() + "/socket.io/?EIO=4&transport=polling"))
                .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(polling.statusCode()).isEqualTo(200);
        assertThat(polling.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
        assertThat(polling.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }
}
