package io.parley.contracts.auth;

import io.helidon.security.jwt.jwk.Jwk;
import io.helidon.security.jwt.jwk.JwkOctet;
import jakarta.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Builds the HS256 key from the shared secret, for verifying and for minting. The key id is
 * Parley's own label for tokens it mints; verification does not require it (standard libraries
 * sign without a {@code kid}): see {@link TokenVerifier}.
 */
final class Keys {
    static final String LOCAL_KEY_ID = "parley-hs256";

    private Keys() {}

    static JwkOctet hs256(String secret) {
        String k = Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
        return JwkOctet.create(Json.createObjectBuilder()
                .add("kty", Jwk.KEY_TYPE_OCT)
                .add("alg", JwkOctet.ALG_HS256)
                .add("kid", LOCAL_KEY_ID)
                .add("use", Jwk.USE_SIGNATURE)
                .add("k", k)
                .build());
    }
}
