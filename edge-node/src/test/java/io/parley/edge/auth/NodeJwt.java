/*
 * NodeJwt owns minting tokens for tests with a third-party library: it runs the fixture's
 * mint.mjs (npm jsonwebtoken, pinned in edge-node/src/test/node), so what Parley accepts is what a
 * standard library produces (HS256 without a kid unless asked), not what Parley's own issuer makes.
 */
package io.parley.edge.auth;

import io.parley.contracts.json.Json;
import io.parley.edge.socketio.NodeSioClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

public final class NodeJwt {
    private NodeJwt() {}

    /** An HS256 token for {@code payload} (sub, name, picture, ...), valid {@code seconds}, with issuer and audience "parley". */
    public static String hs256(String secret, Map<String, Object> payload, long seconds) {
        return mint(secret, payload, seconds, null);
    }

    /** As {@link #hs256}, with a {@code kid} header ({@code keyid}), or none when null. */
    public static String mint(String secret, Map<String, Object> payload, long seconds, String keyid) {
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
