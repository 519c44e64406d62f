/*
 * NodeJwt owns, for the end-to-end tests (a copy of edge-node's test helper of the same name,
 * which e2e cannot import), minting tokens with a third-party library: it runs the fixture's
 * mint.mjs (npm jsonwebtoken, pinned in edge-node/src/test/node), so the real stack is driven with
 * tokens as a standard library makes them (HS256 without a kid unless asked).
 */
package io.parley.e2e;

import io.parley.contracts.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

final class NodeJwt {
    private NodeJwt() {}

    /** An HS256 token for {@code payload} (sub, name, ...), valid {@code seconds}, issuer and audience "parley", {@code kid} if not null. */
    static String mint(String secret, Map<String, Object> payload, long seconds, String keyid) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("secret", secret);
        options.put("payload", payload);
        options.put("expiresInSeconds", seconds);
        options.put("issuer", "parley");
        options.put("audience", "parley");
        if (keyid != null) {
            options.put("keyid", keyid);
        }
        try {
            Process process = new ProcessBuilder("node", "mint.mjs", Json.write(options))
                    .directory(NodeSioClient.fixtureDir().toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("mint.mjs failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node mint.mjs (is the fixture installed by npm ci?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
