package io.parley.contracts.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How tokens are verified, the same for every Parley service, from environment variables:
 * {@code PARLEY_JWT_SECRET} (HS256 shared secret, at least 32 bytes, for local use),
 * {@code PARLEY_JWT_JWKS} (a JWKS file path or http(s) URL, for RS256/ES256 in production),
 * {@code PARLEY_JWT_ISSUER} (default {@code parley}), {@code PARLEY_JWT_AUDIENCE} (default
 * {@code parley}), {@code PARLEY_JWT_CLOCK_SKEW_SECONDS} (default 30). At least one of secret
 * or JWKS must be set.
 */
public record AuthConfig(Optional<String> hs256Secret, Optional<String> jwks, String issuer, String audience,
                         Duration clockSkew) {

    public static final int MIN_SECRET_BYTES = 32;

    public AuthConfig {
        if (hs256Secret.isEmpty() && jwks.isEmpty()) {
            throw new IllegalArgumentException("set PARLEY_JWT_SECRET (HS256) or PARLEY_JWT_JWKS (RS256/ES256)");
        }
        if (hs256Secret.isPresent() && hs256Secret.get().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("PARLEY_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes");
        }
    }

    public static AuthConfig fromEnv(Map<String, String> env) {
        return new AuthConfig(
                nonBlank(env.get("PARLEY_JWT_SECRET")),
                nonBlank(env.get("PARLEY_JWT_JWKS")),
                env.getOrDefault("PARLEY_JWT_ISSUER", "parley"),
                env.getOrDefault("PARLEY_JWT_AUDIENCE", "parley"),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PARLEY_JWT_CLOCK_SKEW_SECONDS", "30"))));
    }

    /** HS256 with a shared secret (local use and tests). */
    public static AuthConfig hs256(String secret, String issuer, String audience) {
        return new AuthConfig(Optional.of(secret), Optional.empty(), issuer, audience, Duration.ofSeconds(30));
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).map(String::strip).filter(s -> !s.isEmpty());
    }
}
