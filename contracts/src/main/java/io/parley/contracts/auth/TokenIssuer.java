package io.parley.contracts.auth;

import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.JwkOctet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Mints HS256 tokens with the local shared secret: for the local stack's token command, the demo
 * client and tests. Production tokens come from the deployment's identity provider.
 */
public final class TokenIssuer {
    private final JwkOctet key;
    private final String issuer;
    private final String audience;

    public TokenIssuer(String secret, String issuer, String audience) {
        new AuthConfig(java.util.Optional.of(secret), java.util.Optional.empty(), issuer, audience, Duration.ZERO);
        this.key = Keys.hs256(secret);
        this.issuer = issuer;
        this.audience = audience;
    }

    public static TokenIssuer from(AuthConfig config) {
        return new TokenIssuer(config.hs256Secret().orElseThrow(
                () -> new IllegalArgumentException("minting needs PARLEY_JWT_SECRET")), config.issuer(), config.audience());
    }

    /** A signed token for {@code userId}, valid for {@code ttl} from now. */
    public String mint(String userId, Duration ttl) {
        return mint(userId, Instant.now(), Instant.now().plus(ttl));
    }

    /** A signed token with explicit times (tests use it for expired tokens). */
    public String mint(String userId, Instant issuedAt, Instant expiresAt) {
        Jwt jwt = Jwt.builder()
                .algorithm(JwkOctet.ALG_HS256)
                .keyId(Keys.LOCAL_KEY_ID)
                .type("JWT")
                .subject(userId)
                .issuer(issuer)
                .audience(List.of(audience))
                .issueTime(issuedAt)
                .expirationTime(expiresAt)
                .build();
        return SignedJwt.sign(jwt, key).tokenContent();
    }
}
