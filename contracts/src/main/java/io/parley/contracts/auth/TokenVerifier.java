package io.parley.contracts.auth;

import io.helidon.common.Errors;
import io.helidon.common.configurable.Resource;
import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.JwtValidator;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.Jwk;
import io.helidon.security.jwt.jwk.JwkKeys;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies bearer tokens (JWT): signature (HS256 with the shared secret, RS256/ES256 with the
 * JWKS), issuer, audience, expiry and not-before. The user id is the {@code sub} claim: identity
 * comes only from a verified token. {@code alg: none} and any algorithm not configured are refused.
 * Thread-safe; never throws for a bad token.
 *
 * <p>Key choice (standard libraries such as npm {@code jsonwebtoken}, {@code jose}, PyJWT and jjwt
 * sign without a {@code kid} unless asked): an HS256 token is checked against the one configured
 * secret whatever its {@code kid} (absent, Parley's own "parley-hs256", or any other), unless its
 * {@code kid} names an HS256 key of the JWKS. A token of another algorithm is checked against the
 * JWKS key its {@code kid} names; without a {@code kid}, against every JWKS key of the token's
 * algorithm (accepted if one verifies). A key is only ever used with its own algorithm, so an RSA
 * public key can never be abused as an HMAC secret.
 */
public final class TokenVerifier {
    private static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512");

    private final Jwk secretKey;
    private final List<Jwk> jwksKeys;
    private final Set<String> allowedAlgorithms;
    private final AuthConfig config;

    public TokenVerifier(AuthConfig config) {
        java.util.HashSet<String> algorithms = new java.util.HashSet<>();
        this.secretKey = config.hs256Secret().map(Keys::hs256).orElse(null);
        if (secretKey != null) {
            algorithms.add("HS256");
        }
        this.jwksKeys = config.jwks().map(location -> List.copyOf(JwkKeys.builder().resource(resource(location)).build().keys()))
                .orElse(List.of());
        if (config.jwks().isPresent()) {
            algorithms.addAll(ASYMMETRIC);
            for (Jwk key : jwksKeys) {
                if ("HS256".equals(key.algorithm())) {
                    algorithms.add("HS256");
                }
            }
        }
        this.allowedAlgorithms = Set.copyOf(algorithms);
        this.config = config;
    }

    /** The outcome of a verification: an identity, or a reason fit to tell the client. */
    public sealed interface Result permits Verified, Rejected {}

    /** A verified token: who it is ({@link Identity}) and until when. */
    public record Verified(Identity identity) implements Result {
        public Verified {
            if (identity == null) {
                throw new IllegalArgumentException("identity is required");
            }
        }

        public String userId() {
            return identity.userId();
        }

        public Instant expiresAt() {
            return identity.expiresAt();
        }
    }

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
        List<Jwk> candidates = candidates(algorithm, jwt.keyId().orElse(null));
        if (candidates.isEmpty()) {
            return new Rejected("unknown token key id");
        }
        if (!signatureValid(signed, candidates)) {
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
        return new Verified(new Identity(subject.get(), displayName(jwt), avatar(jwt), jwt.expirationTime().get()));
    }

    /** The keys a token of {@code algorithm} with this {@code kid} (may be null) is checked against. */
    private List<Jwk> candidates(String algorithm, String kid) {
        if (kid != null) {
            for (Jwk key : jwksKeys) {
                if (kid.equals(key.keyId()) && algorithm.equals(key.algorithm())) {
                    return List.of(key);
                }
            }
        }
        if ("HS256".equals(algorithm) && secretKey != null) {
            return List.of(secretKey);
        }
        if (kid != null) {
            return List.of(); // an asymmetric token naming a key the JWKS does not have
        }
        List<Jwk> sameAlgorithm = new ArrayList<>();
        for (Jwk key : jwksKeys) {
            if (algorithm.equals(key.algorithm()) && key.usage().map(Jwk.USE_SIGNATURE::equals).orElse(true)) {
                sameAlgorithm.add(key);
            }
        }
        return sameAlgorithm;
    }

    private static boolean signatureValid(SignedJwt signed, List<Jwk> keys) {
        byte[] signedBytes = signed.getSignedBytes();
        byte[] signature = signed.getSignature();
        for (Jwk key : keys) {
            try {
                if (key.verifySignature(signedBytes, signature)) {
                    return true;
                }
            } catch (RuntimeException e) {
                // a malformed signature for this key type: try the next key
            }
        }
        return false;
    }

    private static String displayName(Jwt jwt) {
        return jwt.fullName().filter(s -> !s.isBlank())
                .or(() -> jwt.preferredUsername().filter(s -> !s.isBlank()))
                .orElse(null);
    }

    private static String avatar(Jwt jwt) {
        try {
            return jwt.picture().map(URI::toString).filter(s -> !s.isBlank()).orElse(null);
        } catch (RuntimeException e) {
            return null; // a picture claim that is not a URI is ignored
        }
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
