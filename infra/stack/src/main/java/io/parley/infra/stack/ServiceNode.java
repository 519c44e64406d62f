package io.parley.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Parley service (edge node, processors, history store) in a JVM of its own, as in
 * production: started from its module's {@code target/classes} and {@code target/runtime.classpath}
 * (written by the build), configured only by environment variables, ready when its
 * {@code /health} answers 200.
 */
public final class ServiceNode implements AutoCloseable {
    private final String name;
    private final int healthPort;
    private final ChildProcess process;

    private ServiceNode(String name, int healthPort, ChildProcess process) {
        this.name = name;
        this.healthPort = healthPort;
        this.process = process;
    }

    /**
     * Starts {@code mainClass} of {@code module} (a directory under the repository root) with
     * {@code env}; {@link #awaitHealthy} then waits for {@code http://127.0.0.1:<healthPort>/health}.
     */
    static ServiceNode launch(StackConfig config, Path repoRoot, String name, String module, String mainClass,
                             int healthPort, Map<String, String> env) {
        Path moduleDir = repoRoot.resolve(module);
        Path classes = moduleDir.resolve("target/classes");
        Path classpathFile = moduleDir.resolve("target/runtime.classpath");
        if (!Files.isDirectory(classes) || !Files.exists(classpathFile)) {
            throw new StackException(module + " is not built (no target/classes or target/runtime.classpath): run mvn package");
        }
        String classpath;
        try {
            classpath = classes + java.io.File.pathSeparator + Files.readString(classpathFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(ServerArtifacts.currentJava()));
        command.addAll(jvmOptions(System.getenv()));
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED",
                "-Dparley.service=" + name, "-Dparley.data.dir=" + config.dataDir()));
        command.addAll(ServerArtifacts.quietUnsafeFlags());
        command.addAll(List.of("-cp", classpath, mainClass));
        return new ServiceNode(name, healthPort, ChildProcess.start(config, name, command, repoRoot, env));
    }

    /**
     * The heap and GC flags of every service JVM (edge nodes, processors, history store):
     * {@code PARLEY_SERVICE_JVM_OPTIONS} (space-separated) when set, else {@link #DEFAULT_JVM_OPTIONS}.
     * How the default was chosen, and how to measure another choice: docs/benchmarks.md
     * ("Per-message budget").
     */
    static List<String> jvmOptions(Map<String, String> env) {
        String options = env.get("PARLEY_SERVICE_JVM_OPTIONS");
        if (options == null || options.isBlank()) {
            return DEFAULT_JVM_OPTIONS;
        }
        return List.of(options.strip().split("\\s+"));
    }

    /**
     * G1 with a 20 ms pause goal in a 512 MB heap (64 MB at start): small services on a 2-core
     * box; GC threads used ~1-3% of each service's CPU under load (docs/benchmarks.md), so the
     * collector is not where the per-message cost is. The JIT is (C2 compiler threads: ~45% of the
     * services' CPU in a 30-s phase after a 20-s warm-up), but C1 only
     * ({@code -XX:TieredStopAtLevel=1}) did not measure as a clear win on the busy box: its code
     * costs more on the hot threads, and Kafka's broker on C1 spent 2.8x the CPU on its network
     * threads. To be decided on a quiet machine through {@code PARLEY_SERVICE_JVM_OPTIONS}.
     */
    static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20");

    public String name() { return name; }

    public long pid() { return process.pid(); }

    public boolean isAlive() { return process.isAlive(); }

    public Path logFile() { return process.logFile(); }

    /** SIGKILL, no goodbye: for crash tests. */
    public void kill() {
        process.kill();
    }

    /**
     * SIGSTOP: the process is frozen (threads, timers, sockets unanswered) until {@link #resume}: how
     * tests stand in for a long GC pause, an overloaded host or a stalled VM.
     */
    public void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new StackException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while signalling " + this.name);
        }
    }

    public int port() { return healthPort; }

    /** Waits until {@code /health} answers 200; fails with the log's end if the process exits. */
    void awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            process.requireAlive();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + name);
            }
            Waits.pause(200);
        }
        throw new StackException(name + " was not healthy within " + timeout.toSeconds() + " s (" + last + "):\n"
                + process.logTail(30));
    }

    /** SIGTERM (graceful drain), SIGKILL after the grace period. */
    @Override
    public void close() {
        process.close();
    }
}
