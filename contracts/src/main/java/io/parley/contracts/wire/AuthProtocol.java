/*
 * AuthProtocol owns the one place where the names of the authentication part of the client
 * protocol live (first-message auth, token refresh, the expiry warning) and the WebSocket close
 * codes that end a connection for authentication reasons. Vocabulary profiles map their own names
 * onto these; nothing else spells them.
 */
package io.parley.contracts.wire;

/**
 * Client -> server: {@code auth {token}} (authenticate a connection opened without a token, or
 * renew the token of an authenticated one) and {@code refresh {token}} (renew; the new token must
 * have the same {@code sub}). Server -> client: {@code auth-success {userId, expiresAt}} once a
 * connection becomes authenticated, {@code token-expiring {expiresAt}} shortly before its token
 * expires. Both requests are also answered as requests (native reply / Socket.IO ack) with
 * {@code {userId, expiresAt}} or an error.
 */
public final class AuthProtocol {
    private AuthProtocol() {}

    /** Request: authenticate (first message after a token-less connect), or renew. Data {@code {token}}. */
    public static final String AUTH = "auth";
    /** Request: renew the token of an authenticated connection. Data {@code {token}}. */
    public static final String REFRESH = "refresh";
    /** Event: the connection is now authenticated. Data {@link AuthSuccess}. */
    public static final String AUTH_SUCCESS = "auth-success";
    /** Event: the connection's token expires soon; send {@code refresh}. Data {@link TokenExpiring}. */
    public static final String TOKEN_EXPIRING = "token-expiring";

    /** WebSocket close code: the token expired and was not refreshed (also used for Socket.IO's WebSocket transport). */
    public static final int CLOSE_TOKEN_EXPIRED = 4001;
    /** WebSocket close code: no {@code auth} within the authentication timeout. */
    public static final int CLOSE_AUTH_TIMEOUT = 4002;

    /** Data of {@code auth-success} and of the reply to {@code auth} / {@code refresh}; {@code expiresAt} in epoch ms. */
    public record AuthSuccess(String userId, long expiresAt) {}

    /** Data of {@code token-expiring}; {@code expiresAt} in epoch ms. */
    public record TokenExpiring(long expiresAt) {}
}
