/*
 * IdleHeapIT owns the measurement of heap per idle authenticated /ws connection (issue 10, (d)):
 * the real Helidon server of an in-process EdgeNode (recording publisher, no Kafka) on a free
 * port, N raw WebSockets opened by a separate process (IdleSockets, so no client object is on
 * this heap), and the live heap read from class histograms (each one runs a full GC) before
 * and after, divided by N: once right after the connections opened, once after each sent one
 * ping. Prints the classes that grew most. A heap measurement, not a benchmark: it holds on a
 * busy machine. -Dparley.idle.connections=N (default 2000), -Dparley.idle.maxBytes and
 * -Dparley.idle.maxObjectBytes (the bounds),
 * -Dparley.idle.threadDump=file (a thread dump with the parked readers' stacks).
 */
package io.parley.edge;

import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.edge.publish.RecordingPublisher;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IdleHeapIT {
    private static final String SECRET = "an-integration-test-secret-of-32-bytes-or-more";
    private static final AuthConfig AUTH = AuthConfig.hs256(SECRET, "parley", "parley");
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");
    private static final int N = Integer.getInteger("parley.idle.connections", 2000);
    /**
     * Live heap per idle connection this node must stay under (bytes), right after the upgrade and
     * after one ping each (the parked reader's stack grows: see docs/benchmarks.md (d)). Measured
     * here: 19.6 KB and 25.2 KB; the bounds catch a regression such as a grown send buffer.
     */
    private static final long MAX_BYTES_OPENED = Long.getLong("parley.idle.maxBytes", 21_500);
    private static final long MAX_BYTES_PINGED = MAX_BYTES_OPENED + 6_500;
    /**
     * The same after a ping without the readers' stack chunks (deterministic: the objects alone):
     * 13,370-13,505 measured here (14,170 before Parley's per-connection objects were cut).
     */
    private static final long MAX_OBJECT_BYTES = Long.getLong("parley.idle.maxObjectBytes", 13_900);

    /** One class histogram: bytes and instances per class, and the total. */
    record Histogram(long total, Map<String, long[]> classes) {
        static Histogram take() throws Exception {
            String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, long[]> classes = new HashMap<>();
            long total = 0;
            for (String line : text.split("\n")) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 3 && parts[0].equals("Total")) {
                    total = Long.parseLong(parts[2]);
                } else if (parts.length >= 4 && parts[0].endsWith(":")) {
                    classes.put(parts[3], new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
                }
            }
            return new Histogram(total, classes);
        }

        /** Bytes per connection over {@code before} without the stack chunks of (virtual) threads. */
        long objectsPerConnection(Histogram before, int n) {
            long stacks = grown("jdk.internal.vm.StackChunk", before) + grown("[Ljdk.internal.vm.FillerElement;", before);
            return (total - before.total - stacks) / n;
        }

        private long grown(String name, Histogram before) {
            return classes.getOrDefault(name, new long[2])[1] - before.classes.getOrDefault(name, new long[2])[1];
        }

        /** Bytes per connection of this heap over {@code before}, and the classes that grew most. */
        String perConnection(Histogram before, int n) {
            List<String[]> grown = new ArrayList<>();
            for (Map.Entry<String, long[]> e : classes.entrySet()) {
                long[] was = before.classes.getOrDefault(e.getKey(), new long[2]);
                long bytes = e.getValue()[1] - was[1];
                long count = e.getValue()[0] - was[0];
                if (bytes >= n * 8L) {
                    grown.add(new String[] {String.format("%8.1f B %6.2f obj  %s", (double) bytes / n, (double) count / n,
                            e.getKey()), Long.toString(bytes)});
                }
            }
            grown.sort((a, b) -> Long.compare(Long.parseLong(b[1]), Long.parseLong(a[1])));
            long stacks = grown("jdk.internal.vm.StackChunk", before) + grown("[Ljdk.internal.vm.FillerElement;", before);
            StringBuilder out = new StringBuilder(String.format(
                    "%.1f bytes per connection (%d connections); without the readers' stack chunks (they vary with the JIT): %.1f%n",
                    (double) (total - before.total) / n, n, (double) (total - before.total - stacks) / n));
            grown.forEach(g -> out.append("  ").append(g[0]).append('\n'));
            return out.toString();
        }
    }

    @Test
    void idleAuthenticatedConnectionsStayUnderTheBound() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        EdgeNode node = new EdgeNode(EdgeConfig.forTest(AUTH, 20, 1000), new TokenVerifier(AUTH), publisher).start(() -> true);
        Path tokens = Files.createTempFile("idle-tokens", ".txt");
        Process warmup = null;
        Process clients = null;
        try {
            List<String> all = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                all.add(ISSUER.mint("idle-" + i, Duration.ofMinutes(30)));
            }
            Files.write(tokens, all);
            // Warm-up: the same path once (classes loaded, pools created, the read path compiled:
            // the parked readers' stack chunks are smaller with compiled frames), all closed again.
            warmup = sockets(node, tokens);
            expect(warmup, "OPEN");
            warmup.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
            warmup.getOutputStream().flush();
            expect(warmup, "PINGED");
            expect(warmup, "PONGED");
            warmup.getOutputStream().close();
            warmup.waitFor(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> node.connectionCount() == 0);
            clear(publisher);
            Histogram before = Histogram.take();

            clients = sockets(node, tokens);
            String opened = expect(clients, "OPEN");
            assertThat(opened).isEqualTo("OPEN " + N + " FAILED 0");
            await().atMost(Duration.ofSeconds(120)).until(() -> node.connectionCount() == N);
            // every connect callback done (its connected event published)
            await().atMost(Duration.ofSeconds(60)).until(() -> publisher.userEvents.stream()
                    .filter(e -> e.body() instanceof io.parley.contracts.event.UserEvent.Connected).count() >= N);
            Writer commands = new java.io.OutputStreamWriter(clients.getOutputStream(), StandardCharsets.UTF_8);
            clear(publisher);
            Histogram connected = Histogram.take();
            String fresh = connected.perConnection(before, N);

            commands.write("ping\n");
            commands.flush();
            assertThat(expect(clients, "PINGED")).isEqualTo("PINGED " + N);
            assertThat(expect(clients, "PONGED")).isEqualTo("PONGED " + N); // every pong written
            clear(publisher);
            Histogram pinged = Histogram.take();
            String afterPing = pinged.perConnection(before, N);
            String dump = System.getProperty("parley.idle.threadDump"); // where the readers are parked
            if (dump != null) {
                Files.deleteIfExists(Path.of(dump));
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump, com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            }
            System.out.println("IdleHeapIT: opened\n" + fresh + "IdleHeapIT: after one ping each\n" + afterPing);

            assertThat(node.connectionCount()).as("every connection still open").isEqualTo(N);
            assertThat((connected.total() - before.total()) / N).as("heap bytes per idle connection, opened")
                    .isLessThan(MAX_BYTES_OPENED);
            assertThat((pinged.total() - before.total()) / N).as("heap bytes per idle connection, after a ping")
                    .isLessThan(MAX_BYTES_PINGED);
            assertThat(pinged.objectsPerConnection(before, N)).as("heap bytes per idle connection without stack chunks")
                    .isLessThan(MAX_OBJECT_BYTES);
        } finally {
            for (Process p : new Process[] {warmup, clients}) {
                if (p != null) {
                    p.destroy();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }
            node.stop();
            Files.deleteIfExists(tokens);
        }
    }

    private static void clear(RecordingPublisher publisher) {
        publisher.userEvents.clear();
        publisher.roomCommands.clear();
        publisher.heartbeats.clear();
    }

    private static Process sockets(EdgeNode node, Path tokens) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                IdleSockets.class.getName(), "127.0.0.1", Integer.toString(node.port()), tokens.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** The next line of the client process's output starting with {@code prefix}. */
    private static String expect(Process process, String prefix) throws Exception {
        BufferedReader out = readers.computeIfAbsent(process, p -> new BufferedReader(
                new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IllegalStateException("client process ended before " + prefix);
    }

    private static final Map<Process, BufferedReader> readers = new HashMap<>();
}
