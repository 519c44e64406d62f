package io.parley.contracts.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenVerifierTest {
    private static final String SECRET = "a-local-secret-that-is-long-enough-1234";
    private final TokenVerifier verifier = new TokenVerifier(AuthConfig.hs256(SECRET, "parley", "parley"));
    private final TokenIssuer issuer = new TokenIssuer(SECRET, "parley", "parley");

    @Test
    void acceptsAValidTokenAndTakesTheUserFromSubject() {
        TokenVerifier.Result result = verifier.verify(issuer.mint("alice", Duration.ofMinutes(5)));
        assertThat(result).isInstanceOfSatisfying(TokenVerifier.Verified.class,
                v -> assertThat(v.userId()).isEqualTo("alice"));
    }

    @Test
    void rejectsATamperedPayload() {
        String[] parts = issuer.mint("alice", Duration.ofMinutes(5)).split("\\.");
        String forged = b64("{\"sub\":\"mallory\",\"iss\":\"parley\",\"aud\":[\"parley\"],\"exp\":"
                + (Instant.now().getEpochSecond() + 300) + "}");
        assertThat(verifier.verify(parts[0] + "." + forged + "." + parts[2]))
                .isEqualTo(new TokenVerifier.Rejected("invalid token signature"));
    }

    @Test
    void rejectsAnotherSecret() {
        String token = new TokenIssuer("another-secret-that-is-long-enough-987654", "parley", "parley")
                .mint("alice", Duration.ofMinutes(5));
        assertThat(verifier.verify(token)).isEqualTo(new TokenVerifier.Rejected("invalid token signature"));
    }

    @Test
    void rejectsAnExpiredToken() {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        String token = issuer.mint("alice", past, past.plus(Duration.ofMinutes(10)));
        assertThat(verifier.verify(token)).isEqualTo(new TokenVerifier.Rejected("token expired"));
    }

    @Test
    void rejectsAlgNone() {
        String token = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + b64("{\"sub\":\"mallory\",\"iss\":\"parley\",\"aud\":[\"parley\"],\"exp\":"
                + (Instant.now().getEpochSecond() + 300) + "}") + ".";
        assertThat(verifier.verify(token)).isEqualTo(new TokenVerifier.Rejected("token algorithm 'none' is not accepted"));
    }

    @Test
    void rejectsWrongAudienceOrIssuer() {
        assertThat(verifier.verify(new TokenIssuer(SECRET, "parley", "someone-else").mint("alice", Duration.ofMinutes(5))))
                .isInstanceOf(TokenVerifier.Rejected.class);
        assertThat(verifier.verify(new TokenIssuer(SECRET, "evil", "parley").mint("alice", Duration.ofMinutes(5))))
                .isInstanceOf(TokenVerifier.Rejected.class);
    }

    @Test
    void rejectsGarbageWithoutThrowing() {
        assertThat(verifier.verify("not-a-token")).isEqualTo(new TokenVerifier.Rejected("malformed token"));
        assertThat(verifier.verify("")).isEqualTo(new TokenVerifier.Rejected("missing token"));
        assertThat(verifier.verify("a.b.c")).isInstanceOf(TokenVerifier.Rejected.class);
    }

    @Test
    void refusesAShortSecret() {
        assertThatThrownBy(() -> AuthConfig.hs256("short", "parley", "parley"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
