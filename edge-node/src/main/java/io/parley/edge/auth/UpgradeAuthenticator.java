/*
 * UpgradeAuthenticator owns authentication at the WebSocket upgrade: it finds the bearer token
 * (Authorization: Bearer <t>, else ?token=<t>) and verifies it with the contracts' TokenVerifier
 * (no JWT code of our own); Socket.IO uses the same check for the token of its CONNECT packet, and
 * the TokenLifecycle for auth / refresh. The user id is the verified token's sub, and only that.
 * An upgrade without any token is not refused here: the connection must send auth {token} first.
 */
package io.parley.edge.auth;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.parley.contracts.auth.TokenVerifier;

import java.util.Locale;

/** Thread-safe; never throws for a bad or missing token. */
public final class UpgradeAuthenticator {
    /** Longer tokens are refused before parsing. */
    static final int MAX_TOKEN_CHARS = 8192;
    private static final String BEARER = "bearer ";

    private final TokenVerifier verifier;

    public UpgradeAuthenticator(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    public TokenVerifier.Result authenticate(HttpPrologue prologue, Headers headers) {
        return verify(tokenOf(prologue, headers));
    }

    /** Verifies a token however it arrived (Socket.IO sends it in CONNECT's auth payload); never throws. */
    public TokenVerifier.Result verify(String token) {
        if (token != null && token.length() > MAX_TOKEN_CHARS) {
            return new TokenVerifier.Rejected("token too long");
        }
        try {
            return verifier.verify(token);
        } catch (RuntimeException e) {
            // TokenVerifier promises not to throw; if it ever does, the client still gets a 401.
            return new TokenVerifier.Rejected("invalid token");
        }
    }

    /** The token from {@code Authorization: Bearer}, else from the {@code token} query parameter; null if none. */
    public static String tokenOf(HttpPrologue prologue, Headers headers) {
        String authorization = headers.first(HeaderNames.AUTHORIZATION).orElse(null);
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return authorization.substring(BEARER.length()).strip();
        }
        try {
            return prologue.query().first("token").orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
