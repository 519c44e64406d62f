package io.parley.contracts.auth;

import io.helidon.common.Errors;
import io.helidon.common.configurable.Resource;
import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.JwtValidator;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.JwkKeys;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies bearer tokens (JWT): signature (HS256 with the shared secret, RS256/ES256 with the
 * JWKS), issuer, audience, expiry and not-before. The user id is the {@code sub} claim: identity
 * comes only from a verified token. {@code alg: none} and any algorithm not configured are refused.
 * Thread-safe; never throws for a bad token.
 */
public final class TokenVerifier {
    private final JwkKeys keys;
    private final Set<String> allowedAlgorithms;
    private final AuthConfig config;

    public TokenVerifier(AuthConfig config) {
        JwkKeys.Builder builder = JwkKeys.builder();
        java.util.HashSet<String> algorithms = new java.util.HashSet<>();
        config.hs256Secret().ifPresent(secret -> {
            builder.addKey(Keys.hs256(secret));
            algorithms.add("HS256");
        });
        config.jwks().ifPresent(location -> {
            JwkKeys remote = JwkKeys.builder().resource(resource(location)).build();
            remote.keys().forEach(builder::addKey);
            algorithms.addAll(Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512"));
        });
        this.keys = builder.build();
        this.allowedAlgorithms = Set.copyOf(algorithms);
        this.config = config;
    }

    /** The outcome of a verification: a user id, or a reason fit to tell the client. */
    public sealed interface Result permits Verified, Rejected {}

    public record Verified(String userId, Instant expiresAt) implements Result {}

    public record Rejected(String reason) implements Result {}

    public Result verify(String token) {
        if (token == null || token.isBlank()) {
            return new Rejected("missing token");
        }
        SignedJwt signed;
        try {
            signed = SignedJwt.parseToken(token.strip());
        } catch (RuntimeException e) {
            return new Rejected("malformed token");
        }
        Jwt jwt = signed.getJwt();
        String algorithm = jwt.algorithm().orElse("none");
        if (!allowedAlgorithms.contains(algorithm)) {
            return new Rejected("token algorithm '" + algorithm + "' is not accepted");
        }
        Errors signature;
        try {
            signature = signed.verifySignature(keys);
        } catch (RuntimeException e) {
            return new Rejected("invalid token signature");
        }
        if (!signature.isValid()) {
            return new Rejected("invalid token signature");
        }
        Errors claims;
        try {
            // Built per call: the time validators take "now" when they are built.
            claims = JwtValidator.builder()
                    .addDefaultTimeValidators(Instant.now(), config.clockSkew(), false)
                    .addIssuerValidator(config.issuer(), true)
                    .addAudienceValidator(config.audience())
                    .build()
                    .validate(jwt);
        } catch (RuntimeException e) {
            return new Rejected("invalid token claims");
        }
        if (!claims.isValid()) {
            boolean expired = jwt.expirationTime().map(exp -> exp.isBefore(Instant.now())).orElse(false);
            return new Rejected(expired ? "token expired" : "invalid token claims: " + firstMessage(claims));
        }
        Optional<String> subject = jwt.subject().filter(s -> !s.isBlank());
        if (subject.isEmpty()) {
            return new Rejected("token has no subject");
        }
        if (jwt.expirationTime().isEmpty()) {
            return new Rejected("token has no expiry");
        }
        return new Verified(subject.get(), jwt.expirationTime().get());
    }

    private static String firstMessage(Errors errors) {
        return errors.stream().findFirst().map(m -> m.getMessage()).orElse("rejected");
    }

    private static Resource resource(String location) {
        if (location.startsWith("http://") || location.startsWith("https://")) {
            return Resource.create(URI.create(location));
        }
        return Resource.create(Path.of(location));
    }
}
