/*
 * NodeSioClient owns, for the end-to-end tests (a copy of edge-node's test helper of the same name,
 * which e2e cannot import), the Java side of driving the stock socket.io-client: it starts
 * `node sio-client.mjs <options>` from the fixture package (edge-node/src/test/node, installed by
 * `npm ci` in the pre-integration-test phase of edge-node and of this module), writes JSON-line commands to it and reads the JSON lines it
 * prints (connect, connect_error, event, ack, disconnect, ...). Waits are deadlines, not sleeps.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

final class NodeSioClient implements AutoCloseable {
    /** A deadline for what must arrive, not a latency bound. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final StringBuilder stderr = new StringBuilder();

    private NodeSioClient(Process process) {
        this.process = process;
        this.stdin = process.outputWriter(StandardCharsets.UTF_8);
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    try {
                        lines.add(Json.MAPPER.readTree(line));
                    } catch (IOException e) {
                        lines.add(Json.MAPPER.createObjectNode().put("type", "unparsed").put("line", line));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** The fixture package directory, found from the working directory (a module or the repository root). */
    public static Path fixtureDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("edge-node/src/test/node");
            if (Files.exists(candidate.resolve("package.json"))) {
                return candidate;
            }
            if (Files.exists(dir.resolve("src/test/node/package.json")) && dir.endsWith("edge-node")) {
                return dir.resolve("src/test/node");
            }
        }
        throw new IllegalStateException("edge-node/src/test/node not found from " + Path.of("").toAbsolutePath());
    }

    /** Starts a client of {@code url} with {@code token} (null: no auth) and the given transports (null: the default). */
    public static NodeSioClient start(String url, String token, List<String> transports) {
        return start(url, token, transports, Map.of(), Map.of());
    }

    /**
     * Starts a client as {@link #start(String, String, List)} with more CONNECT {@code auth} fields
     * (e.g. {@code profile}) and handshake {@code query} parameters (e.g. {@code profile=seed-002}).
     */
    public static NodeSioClient start(String url, String token, List<String> transports, Map<String, String> auth,
                                      Map<String, String> query) {
        Path dir = fixtureDir();
        if (!Files.isDirectory(dir.resolve("node_modules/socket.io-client"))) {
            throw new IllegalStateException("socket.io-client is not installed in " + dir
                    + ": run `npm ci` there (the Maven build does it in pre-integration-test)");
        }
        ObjectNode options = Json.MAPPER.createObjectNode().put("url", url);
        if (token != null) {
            options.put("token", token);
        }
        if (transports != null) {
            options.set("transports", Json.tree(transports));
        }
        if (!auth.isEmpty()) {
            options.set("auth", Json.tree(auth));
        }
        if (!query.isEmpty()) {
            options.set("query", Json.tree(query));
        }
        try {
            Process process = new ProcessBuilder("node", "sio-client.mjs", Json.write(options))
                    .directory(dir.toFile()).start();
            return new NodeSioClient(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node (is Node.js installed and on the PATH?)", e);
        }
    }

    /** Emits {@code event} with {@code args} and an ack callback; returns the id its ack line carries. */
    public long emitWithAck(String event, Object... args) {
        long id = ids.incrementAndGet();
        command(Json.MAPPER.createObjectNode().put("cmd", "emit").put("id", id).put("event", event).put("ack", true)
                .set("args", Json.tree(List.of(args))));
        return id;
    }

    /** Emits without an ack callback. */
    public void emit(String event, Object... args) {
        command(Json.MAPPER.createObjectNode().put("cmd", "emit").put("event", event).put("ack", false)
                .set("args", Json.tree(List.of(args))));
    }

    /** Emits with an ack and waits for the ack's first argument. */
    public JsonNode request(String event, Object... args) {
        long id = emitWithAck(event, args);
        return next(line -> line.path("type").asText().equals("ack") && line.path("id").asLong() == id)
                .path("args").path(0);
    }

    public void disconnect() {
        command(Json.MAPPER.createObjectNode().put("cmd", "disconnect"));
    }

    /** The next line of {@code type} (earlier lines of other types are kept for later calls). */
    public JsonNode next(String type) {
        return next(line -> line.path("type").asText().equals(type));
    }

    /** The next pushed event named {@code event} whose arguments match (multi-argument events: {@code args} is the array). */
    public JsonNode nextEvent(String event, Predicate<JsonNode> args) {
        return next(line -> line.path("type").asText().equals("event") && line.path("event").asText().equals(event)
                && args.test(line.path("args")));
    }

    /** The next pushed event named {@code event}. */
    public JsonNode nextEvent(String event) {
        return next(line -> line.path("type").asText().equals("event") && line.path("event").asText().equals(event));
    }

    /** Waits for the first line (seen before or arriving) that matches, and consumes it. */
    public synchronized JsonNode next(Predicate<JsonNode> wanted) {
        for (int i = 0; i < seen.size(); i++) {
            if (wanted.test(seen.get(i))) {
                return seen.remove(i);
            }
        }
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode line;
            try {
                line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (line == null) {
                throw new AssertionError("no matching line from the Node client within " + PATIENCE.toSeconds()
                        + " s; unmatched lines: " + seen + "; stderr: " + stderr());
            }
            if (line.path("type").asText().equals("fatal")) {
                throw new AssertionError("the Node client failed: " + line);
            }
            if (wanted.test(line)) {
                return line;
            }
            seen.add(line);
        }
    }

    /** Every line received so far and not consumed (for assertions that something did not happen). */
    public synchronized List<JsonNode> drainSeen() {
        lines.drainTo(seen);
        return List.copyOf(seen);
    }

    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    private void command(JsonNode command) {
        try {
            stdin.write(Json.write(command) + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the Node client is gone; stderr: " + stderr(), e);
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
