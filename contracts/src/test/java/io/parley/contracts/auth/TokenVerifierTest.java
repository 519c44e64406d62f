package io.parley.contracts.auth;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;

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

    @Test
    void acceptsAnHs256TokenWithoutKidOrWithAnyKidAsStandardLibrariesSignThem() throws Exception {
        long exp = Instant.now().getEpochSecond() + 300;
        String claims = "{\"sub\":\"alice\",\"iss\":\"parley\",\"aud\":\"parley\",\"exp\":" + exp
                + ",\"name\":\"Alice Liddell\",\"picture\":\"https://example.com/a.png\"}";
        for (String header : new String[] {"{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"alg\":\"HS256\",\"kid\":\"whatever-1\"}"}) {
            TokenVerifier.Result result = verifier.verify(hmac(header, claims, SECRET));
            assertThat(result).isInstanceOfSatisfying(TokenVerifier.Verified.class, v -> {
                assertThat(v.identity()).isEqualTo(new Identity("alice", "Alice Liddell", "https://example.com/a.png",
                        Instant.ofEpochSecond(exp)));
            });
        }
        // Signed with another secret, with or without kid: refused.
        assertThat(verifier.verify(hmac("{\"alg\":\"HS256\"}", claims, "another-secret-that-is-long-enough-987654")))
                .isEqualTo(new TokenVerifier.Rejected("invalid token signature"));
    }

    @Test
    void theDisplayNameFallsBackToPreferredUsernameAndIsAbsentWithoutEither() throws Exception {
        long exp = Instant.now().getEpochSecond() + 300;
        String withUsername = "{\"sub\":\"u1\",\"iss\":\"parley\",\"aud\":[\"parley\"],\"exp\":" + exp
                + ",\"preferred_username\":\"bob\"}";
        assertThat(verifier.verify(hmac("{\"alg\":\"HS256\"}", withUsername, SECRET)))
                .isInstanceOfSatisfying(TokenVerifier.Verified.class, v -> {
                    assertThat(v.identity().name()).isEqualTo("bob");
                    assertThat(v.identity().avatarUrl()).isNull();
                });
        String bare = "{\"sub\":\"u2\",\"iss\":\"parley\",\"aud\":\"parley\",\"exp\":" + exp + "}";
        assertThat(verifier.verify(hmac("{\"alg\":\"HS256\"}", bare, SECRET)))
                .isInstanceOfSatisfying(TokenVerifier.Verified.class, v -> {
                    assertThat(v.identity().name()).isNull();
                    assertThat(v.identity().displayName()).isEqualTo("u2");
                });
    }

    @Test
    void withAJwksTheKidChoosesTheKeyAndWithoutOneEveryKeyOfTheAlgorithmIsTried() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair first = generator.generateKeyPair();
        KeyPair second = generator.generateKeyPair();
        KeyPair stranger = generator.generateKeyPair();
        Path jwks = Files.createTempFile("parley-jwks", ".json");
        try {
            Files.writeString(jwks, "{\"keys\":[" + rsaJwk("k1", first) + "," + rsaJwk("k2", second) + "]}");
            TokenVerifier rsa = new TokenVerifier(new AuthConfig(java.util.Optional.empty(), java.util.Optional.of(jwks.toString()),
                    "parley", "parley", Duration.ofSeconds(30)));
            long exp = Instant.now().getEpochSecond() + 300;
            String claims = "{\"sub\":\"carol\",\"iss\":\"parley\",\"aud\":\"parley\",\"exp\":" + exp + "}";
            assertThat(rsa.verify(rs256("{\"alg\":\"RS256\"}", claims, second))).isInstanceOf(TokenVerifier.Verified.class);
            assertThat(rsa.verify(rs256("{\"alg\":\"RS256\",\"kid\":\"k2\"}", claims, second))).isInstanceOf(TokenVerifier.Verified.class);
            assertThat(rsa.verify(rs256("{\"alg\":\"RS256\",\"kid\":\"k1\"}", claims, second)))
                    .isEqualTo(new TokenVerifier.Rejected("invalid token signature"));
            assertThat(rsa.verify(rs256("{\"alg\":\"RS256\",\"kid\":\"nope\"}", claims, second)))
                    .isEqualTo(new TokenVerifier.Rejected("unknown token key id"));
            assertThat(rsa.verify(rs256("{\"alg\":\"RS256\"}", claims, stranger)))
                    .isEqualTo(new TokenVerifier.Rejected("invalid token signature"));
            // No secret configured: HS256 is not accepted at all (no key confusion with the RSA keys).
            assertThat(rsa.verify(hmac("{\"alg\":\"HS256\"}", claims, SECRET)))
                    .isEqualTo(new TokenVerifier.Rejected("token algorithm 'HS256' is not accepted"));
        } finally {
            Files.deleteIfExists(jwks);
        }
    }

    static String hmac(String header, String claims, String secret) throws Exception {
        String signingInput = b64(header) + "." + b64(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String rs256(String header, String claims, KeyPair keys) throws Exception {
        String signingInput = b64(header) + "." + b64(claims);
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(keys.getPrivate());
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    }

    private static String rsaJwk(String kid, KeyPair keys) {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        return "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + kid + "\",\"n\":\""
                + unsigned(key.getModulus()) + "\",\"e\":\"" + unsigned(key.getPublicExponent()) + "\"}";
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
