/*
 * HttpHistorySource owns the edge's reads of the history store's HTTP API for resume:
 * GET {PARLEY_HISTORY_URL}/v1/rooms/{roomId}/messages?after=&limit= with an internal credential,
 * a short-lived token the edge signs for the connection's user (sub = the user id from the
 * connection's verified token) with the shared HS256 secret (PARLEY_JWT_SECRET), so the history
 * store's own checks (a valid token, a member of the room) apply unchanged.
 */
package io.parley.edge.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Thread-safe; blocking, for the recoveries' virtual threads. */
public final class HttpHistorySource implements HistorySource {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration TOKEN_TTL = Duration.ofMinutes(2);

    private final String baseUrl;
    private final TokenIssuer issuer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public HttpHistorySource(String baseUrl, TokenIssuer issuer) {
        this.baseUrl = baseUrl;
        this.issuer = issuer;
    }

    @Override
    public Page page(String userId, String roomId, long afterSeq, int limit) throws Unavailable {
        URI uri = URI.create(baseUrl + "/v1/rooms/" + URLEncoder.encode(roomId, StandardCharsets.UTF_8).replace("+", "%20")
                + "/messages?after=" + afterSeq + "&limit=" + limit);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + issuer.mint(userId, TOKEN_TTL))
                .GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Unavailable("history store unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        }
        if (response.statusCode() != 200) {
            // 403 right after a first join (the store has not seen the member-joined yet), 503, ...
            throw new Unavailable("history store answered " + response.statusCode());
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new Unavailable("history store answered malformed JSON");
        }
        List<JsonNode> messages = new ArrayList<>();
        body.path("messages").forEach(messages::add);
        return new Page(messages, body.path("hasMore").asBoolean(false), body.path("storedSeq").asLong(0));
    }
}
