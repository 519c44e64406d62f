package io.parley.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the launcher runs Parley's own services: where the built modules are and which ports they
 * take. From environment variables: {@code PARLEY_HOME} (the repository; default: found upward
 * from the working directory), {@code PARLEY_EDGE_PORTS} (8080,8081: one edge node per port),
 * {@code PARLEY_HISTORY_PORT} (8090), {@code PARLEY_PROCESSORS_HEALTH_PORT} (8070),
 * {@code PARLEY_JWT_SECRET} (default: a random secret kept in the data directory, so tokens
 * survive restarts). Every other {@code PARLEY_*} variable is passed to the services as is.
 */
public record ServicesConfig(Path repoRoot, List<Integer> edgePorts, int historyPort, int processorsHealthPort,
                             String jwtSecret, Map<String, String> passThrough) {

    public static ServicesConfig fromEnv(Map<String, String> env, Path dataDir) {
        return new ServicesConfig(
                repoRoot(env),
                Arrays.stream(env.getOrDefault("PARLEY_EDGE_PORTS", "8080,8081").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).map(ServicesConfig::port).toList(),
                port(env.getOrDefault("PARLEY_HISTORY_PORT", "8090")),
                port(env.getOrDefault("PARLEY_PROCESSORS_HEALTH_PORT", "8070")),
                Optional.ofNullable(env.get("PARLEY_JWT_SECRET")).filter(s -> !s.isBlank())
                        .orElseGet(() -> localSecret(dataDir)),
                passThrough(env));
    }

    /** For tests: free ports for {@code edges} edge nodes, the history store and the processors. */
    public static ServicesConfig forTests(int edges, String jwtSecret, Map<String, String> passThrough) {
        int[] ports = StackConfig.freePorts(edges + 2);
        return new ServicesConfig(repoRoot(System.getenv()),
                Arrays.stream(ports, 0, edges).boxed().toList(),
                ports[edges], ports[edges + 1], jwtSecret, Map.copyOf(passThrough));
    }

    /** The secret tokens are signed with locally: created once per data directory, then reused. */
    public static String localSecret(Path dataDir) {
        Path file = dataDir.resolve("jwt-secret");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String secret = HexFormat.of().formatHex(bytes);
            Files.createDirectories(dataDir);
            Files.writeString(file, secret);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> passThrough(Map<String, String> env) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("PARLEY_")) {
                out.put(k, v);
            }
        });
        return Map.copyOf(out);
    }

    private static Path repoRoot(Map<String, String> env) {
        if (env.containsKey("PARLEY_HOME")) {
            return Path.of(env.get("PARLEY_HOME")).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("edge-node/pom.xml")) && Files.exists(dir.resolve("contracts/pom.xml"))) {
                return dir;
            }
        }
        throw new StackException("cannot find the Parley repository above " + Path.of("").toAbsolutePath() + ": set PARLEY_HOME");
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value.strip());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new StackException("not a port number: '" + value + "'");
        }
    }
}
