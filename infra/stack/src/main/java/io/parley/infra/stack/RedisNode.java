package io.parley.infra.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Redis from the embedded-redis Maven artefact: its redis-server binary is copied out of the jar
 * and run as a child process, so the launcher owns its pid like every other server's. Redis keeps
 * only rebuildable read views, so it runs without persistence.
 */
final class RedisNode {
    private RedisNode() {}

    static ChildProcess start(StackConfig config) {
        Path home = config.dataDir().resolve("redis");
        Path binary = extractBinary(home);
        List<String> command = List.of(binary.toString(),
                "--bind", "127.0.0.1",
                "--port", Integer.toString(config.redisPort()),
                "--protected-mode", "yes",
                "--save", "",
                "--appendonly", "no",
                "--dir", home.toString(),
                "--daemonize", "no");
        return ChildProcess.start(config, "redis", command, home, Map.of());
    }

    static String url(StackConfig config) {
        return config.externalRedis().orElse("redis://127.0.0.1:" + config.redisPort());
    }

    /** Waits until {@code PING} answers {@code +PONG}, failing early if {@code process} exits. */
    static void awaitReady(String url, ChildProcess process, Duration timeout) {
        URI uri = URI.create(url);
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (process != null) {
                process.requireAlive();
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), port), 1000);
                socket.setSoTimeout(1000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = socket.getInputStream().readNBytes(5);
                if (new String(reply, StandardCharsets.US_ASCII).equals("+PONG")) {
                    return;
                }
                last = new IOException("unexpected reply to PING: " + new String(reply, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                last = e;
            }
            Waits.pause(100);
        }
        throw new StackException("Redis at " + url + " did not answer PING within " + timeout.toSeconds() + " s: "
                + (last == null ? "" : last.getMessage()));
    }

    private static Path extractBinary(Path home) {
        String resource = binaryResource();
        Path target = home.resolve("redis-server");
        try (InputStream in = RedisNode.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new StackException("embedded-redis has no " + resource + " for this platform; set PARLEY_REDIS_URL to a Redis of your own");
            }
            Files.createDirectories(home);
            Path tmp = Files.createTempFile(home, "redis-server", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            tmp.toFile().setExecutable(true, true);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String binaryResource() {
        String os = System.getProperty("os.name").toLowerCase();
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux")) {
            throw new StackException("the bundled Redis runs on Linux only; set PARLEY_REDIS_URL to a Redis of your own");
        }
        return switch (arch) {
            case "amd64", "x86_64" -> "/redis-server-6.2.6-v5-linux-amd64";
            case "aarch64", "arm64" -> "/redis-server-6.2.7-linux-arm64";
            default -> throw new StackException("no bundled Redis for " + arch + "; set PARLEY_REDIS_URL");
        };
    }
}
