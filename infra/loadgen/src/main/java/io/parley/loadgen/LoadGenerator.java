/*
 * LoadGenerator owns one load-generator run: minting tokens, opening the connections over the
 * target's nodes (member i of a room on node i mod nodes) with bounded concurrency and bounded
 * time, joining each client to its room, then phases of scheduled sends (a fixed global schedule,
 * latency counted from the scheduled time), an optional history read load, and a bounded drain
 * before the counters are read.
 */
package io.parley.loadgen;

import io.parley.contracts.auth.TokenIssuer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

public final class LoadGenerator implements AutoCloseable {
    /** What to connect and how. {@code rooms} 0: connections only (idle), no joins. */
    public record Settings(Client.Kind kind, List<String> urls, String jwtSecret, int clients, int rooms,
                           int httpClients, int connectConcurrency, Duration connectTimeout, String runTag,
                           String issuer, String audience) {
        public Settings {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("no target url");
            }
            if (clients < 1 || rooms < 0 || (rooms > 0 && clients % rooms != 0)) {
                throw new IllegalArgumentException("clients must be a multiple of rooms");
            }
        }

        public int members() {
            return rooms == 0 ? 0 : clients / rooms;
        }

        public String roomId(int room) {
            return "lg-" + runTag + "-r" + room;
        }

        public String userId(int client) {
            return "lg-" + runTag + "-u" + client;
        }
    }

    /** How the connections went. */
    public record ConnectResult(int opened, int failed, double seconds, Histogram connectMicros, String firstFailure) {}

    /** One phase: counters and histograms (µs) of the Tally plus the history reads. */
    public record PhaseResult(Tally.Phase phase, double rate, double sendSeconds, double drainSeconds,
                              Histogram e2eMicros, Histogram ackMicros, long dropped,
                              long historyOk, long historyFailed, Histogram historyMicros) {
        public double deliveredPerSecond() {
            return sendSeconds <= 0 ? 0 : phase.received() / sendSeconds;
        }
    }

    private final Settings settings;
    private final Tally tally;
    private final List<HttpClient> https = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private final ScheduledExecutorService keepAlive;
    private final TokenIssuer issuer;
    private volatile boolean resume;

    public LoadGenerator(Settings settings) {
        this.settings = settings;
        this.tally = new Tally(settings.runTag(), System.nanoTime());
        this.issuer = new TokenIssuer(settings.jwtSecret(), settings.issuer(), settings.audience());
        for (int i = 0; i < Math.max(1, settings.httpClients()); i++) {
            https.add(HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build());
        }
        keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadgen-keepalive");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Clients that resume (Parley's native protocol only; set before {@link #connect()}): a socket
     * that drops is opened again to the next node and each room resumed from its last seq, unacked
     * sends sent again with their clientMsgId (NativeClient); the Tally counts across reconnects.
     */
    public LoadGenerator resuming(boolean resume) {
        if (resume && settings.kind() != Client.Kind.PARLEY) {
            throw new IllegalArgumentException("resume is implemented for Parley's native protocol only");
        }
        this.resume = resume;
        return this;
    }

    /** Sockets opened again after a drop, over all clients of this process (resume on). */
    public static long reconnects() {
        return Client.RECONNECTS.get();
    }

    /** Reconnect diagnostics: socket ends seen, attempts, the last failure. */
    public static String reconnectDiagnostics() {
        return "socket ends seen " + Client.DROPS_SEEN.get() + ", dropped " + Client.DROPPED.get() + ", reconnect attempts "
                + Client.RECONNECT_ATTEMPTS.get() + ", last failure " + Client.lastReconnectFailure;
    }

    /** Rooms resumed with truncated: true, over all clients of this process. */
    public static long truncatedRecoveries() {
        return NativeClient.TRUNCATED.get();
    }

    /** Resume joins refused with something other than UNAVAILABLE, over all clients of this process. */
    public static long refusedResumes() {
        return NativeClient.RESUME_REFUSED.get();
    }

    /** Sends still waiting for their answer (resume on), over this run's clients. */
    public long unanswered() {
        return clients.stream().filter(c -> c instanceof NativeClient).mapToLong(c -> ((NativeClient) c).unanswered()).sum();
    }

    public Settings settings() {
        return settings;
    }

    public Tally tally() {
        return tally;
    }

    public int connected() {
        return (int) clients.stream().filter(c -> c.ready.isDone() && !c.ready.isCompletedExceptionally()).count();
    }

    /** Opens every connection (bounded concurrency), then joins rooms; connections that fail are reported. */
    public ConnectResult connect() throws InterruptedException {
        Histogram connectMicros = new Histogram(3_600_000_000L, 3);
        Recorder recorder = new Recorder(3_600_000_000L, 3);
        Semaphore inFlight = new Semaphore(settings.connectConcurrency());
        AtomicLong failed = new AtomicLong();
        String[] firstFailure = new String[1];
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < settings.clients(); i++) {
            String user = settings.userId(i);
            Client client = Client.create(settings.kind(), i, user, issuer.mint(user, Duration.ofHours(6)), tally);
            client.members = settings.members();
            client.resume = resume;
            client.urls = settings.urls();
            clients.add(client);
            inFlight.acquire();
            long begun = System.nanoTime();
            String url = settings.urls().get(i % settings.urls().size());
            CompletableFuture<Void> done = client.connect(https.get(i % https.size()), url, settings.connectTimeout())
                    .whenComplete((v, failure) -> {
                        inFlight.release();
                        if (failure == null) {
                            recorder.recordValue((System.nanoTime() - begun) / 1000);
                        } else {
                            failed.incrementAndGet();
                            synchronized (firstFailure) {
                                if (firstFailure[0] == null) {
                                    firstFailure[0] = String.valueOf(failure);
                                }
                            }
                        }
                    });
            all.add(done);
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(
                    settings.connectTimeout().toMillis() * 3 + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // failures are counted per connection
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (settings.rooms() > 0) {
            join();
        }
        // Keep every connection alive: each one pings once per 30 s, spread over the period.
        keepAlive.scheduleAtFixedRate(new Runnable() {
            int tick;

            @Override
            public void run() {
                int slot = tick++ % 30;
                for (int i = slot; i < clients.size(); i += 30) {
                    clients.get(i).keepAlive();
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        connectMicros.add(recorder.getIntervalHistogram());
        return new ConnectResult(settings.clients() - (int) failed.get(), (int) failed.get(), seconds,
                connectMicros, firstFailure[0]);
    }

    private void join() throws InterruptedException {
        Semaphore inFlight = new Semaphore(Math.max(1, settings.connectConcurrency()));
        List<CompletableFuture<Long>> joins = new ArrayList<>();
        for (Client client : clients) {
            if (!client.ready.isDone() || client.ready.isCompletedExceptionally()) {
                continue;
            }
            String room = settings.roomId(client.index / settings.members());
            inFlight.acquire();
            long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
            CompletableFuture<Long> joined = joinRetrying(client, room, deadline)
                    .orTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((seq, failure) -> {
                        inFlight.release();
                        if (failure == null) {
                            client.receiver.joined(room, seq);
                        }
                    });
            joins.add(joined);
        }
        long failed = 0;
        for (CompletableFuture<Long> joined : joins) {
            try {
                joined.get(settings.connectTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                failed++;
            }
        }
        if (failed > 0) {
            throw new IllegalStateException(failed + " of " + joins.size() + " joins failed or timed out");
        }
    }

    private static final java.util.regex.Pattern RETRY_AFTER = java.util.regex.Pattern.compile("\"retryAfterMs\"\\s*:\\s*(\\d+)");

    /**
     * A join, again after the server's retryAfterMs while it is refused with UNAVAILABLE (its
     * backpressure during the join burst), as a well-behaved client does, until the deadline.
     */
    private static CompletableFuture<Long> joinRetrying(Client client, String room, long deadlineNanos) {
        return client.join(room).handle((seq, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(seq);
            }
            String text = String.valueOf(failure.getMessage());
            java.util.regex.Matcher retry = RETRY_AFTER.matcher(text);
            if (!text.contains("UNAVAILABLE") || !retry.find()) {
                return CompletableFuture.<Long>failedFuture(failure);
            }
            long waitMs = Long.parseLong(retry.group(1)) + java.util.concurrent.ThreadLocalRandom.current().nextLong(100);
            if (System.nanoTime() + waitMs * 1_000_000 > deadlineNanos) {
                return CompletableFuture.<Long>failedFuture(failure);
            }
            return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(waitMs, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> joinRetrying(client, room, deadlineNanos));
        }).thenCompose(f -> f);
    }

    /** History reads during a phase: GET {url}/v1/rooms/{room}/messages?limit=50 at a fixed rate. */
    public record HistoryLoad(String baseUrl, double perSecond) {}

    /** The live counts of a phase (they go on changing while late replies and deliveries arrive). */
    public Tally.Phase phaseOf(int phaseId) {
        return tally.phase(phaseId);
    }

    /**
     * Sends {@code ratePerClient} messages per second from every client for {@code duration} on a
     * fixed global schedule, then waits (at most {@code drainMax}) until every send is answered and
     * every expected delivery arrived.
     */
    public PhaseResult runPhase(int phaseId, double ratePerClient, Duration duration, Duration drainMax,
                                HistoryLoad history) throws InterruptedException {
        if (settings.rooms() == 0) {
            throw new IllegalStateException("no rooms: nothing to send");
        }
        Tally.Phase phase = tally.phase(phaseId);
        long droppedBefore = Client.DROPPED.get();
        int n = clients.size();
        long total = (long) Math.floor(ratePerClient * n * duration.toNanos() / 1e9);
        double intervalNanos = 1e9 / (ratePerClient * n);
        int members = settings.members();
        HistoryRun historyRun = history == null || history.perSecond() <= 0 ? null : new HistoryRun(history, duration);
        long start = System.nanoTime() + 50_000_000L;
        if (historyRun != null) {
            historyRun.start(start);
        }
        String text = "load generator message of run " + settings.runTag();
        for (long j = 0; j < total; j++) {
            long scheduled = start + (long) (j * intervalNanos);
            long wait = scheduled - System.nanoTime();
            if (wait > 20_000) {
                LockSupport.parkNanos(wait);
            }
            Client client = clients.get((int) (j % n));
            if (!client.ready.isDone() || client.ready.isCompletedExceptionally()) {
                continue;
            }
            String room = settings.roomId(client.index / members);
            tally.sent(phaseId, members);
            client.sendMessage(room, text, tally.messageId(phaseId, client.index, scheduled));
        }
        long sendEnd = Math.max(System.nanoTime(), start + duration.toNanos());
        while (System.nanoTime() < sendEnd) {
            LockSupport.parkNanos(sendEnd - System.nanoTime());
        }
        double sendSeconds = (sendEnd - start) / 1e9;
        long drainDeadline = System.nanoTime() + drainMax.toNanos();
        while (System.nanoTime() < drainDeadline
                && (phase.acked() + phase.rejected() < phase.sent() || phase.received() < phase.expected()
                || (historyRun != null && !historyRun.finished()))) {
            Thread.sleep(20);
        }
        double drainSeconds = (System.nanoTime() - sendEnd) / 1e9;
        long historyOk = 0;
        long historyFailed = 0;
        Histogram historyMicros = null;
        if (historyRun != null) {
            historyOk = historyRun.ok.get();
            historyFailed = historyRun.failed.get();
            historyMicros = historyRun.histogram();
        }
        return new PhaseResult(phase, ratePerClient, sendSeconds, drainSeconds, phase.e2eMicros(), phase.ackMicros(),
                Client.DROPPED.get() - droppedBefore, historyOk, historyFailed, historyMicros);
    }

    /** Scheduled history GETs on the rooms, round robin, each with a token of a member. */
    private final class HistoryRun {
        final HistoryLoad load;
        final Duration duration;
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong issued = new AtomicLong();
        final Recorder recorder = new Recorder(3_600_000_000L, 3);
        // HTTP/1.1: an h2c upgrade request is refused by servers that take upgrades for WebSockets (Socket.IO).
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        final String[] tokens;
        Thread thread;

        HistoryRun(HistoryLoad load, Duration duration) {
            this.load = load;
            this.duration = duration;
            this.tokens = new String[settings.rooms()];
            for (int r = 0; r < tokens.length; r++) {
                tokens[r] = issuer.mint(settings.userId(r * settings.members()), Duration.ofHours(6));
            }
        }

        void start(long startNanos) {
            long total = (long) Math.floor(load.perSecond() * duration.toNanos() / 1e9);
            double interval = 1e9 / load.perSecond();
            thread = Thread.ofPlatform().daemon().name("loadgen-history").start(() -> {
                for (long j = 0; j < total; j++) {
                    long scheduled = startNanos + (long) (j * interval);
                    long wait = scheduled - System.nanoTime();
                    if (wait > 20_000) {
                        LockSupport.parkNanos(wait);
                    }
                    int room = (int) (j % tokens.length);
                    HttpRequest request = HttpRequest.newBuilder(URI.create(load.baseUrl() + "/v1/rooms/"
                                    + settings.roomId(room) + "/messages?limit=50"))
                            .header("Authorization", "Bearer " + tokens[room])
                            .timeout(Duration.ofSeconds(10)).GET().build();
                    issued.incrementAndGet();
                    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                        if (failure == null && response.statusCode() == 200) {
                            ok.incrementAndGet();
                            recorder.recordValue(Math.max(0, (System.nanoTime() - scheduled) / 1000));
                        } else {
                            failed.incrementAndGet();
                        }
                    });
                }
            });
        }

        boolean finished() {
            return !thread.isAlive() && ok.get() + failed.get() >= issued.get();
        }

        Histogram histogram() {
            return recorder.getIntervalHistogram();
        }
    }

    @Override
    public void close() {
        keepAlive.shutdownNow();
        clients.forEach(Client::close);
        https.forEach(HttpClient::shutdownNow);
    }

    /** For reports: the settings' shape. */
    public Map<String, Object> shape() {
        return Map.of("clients", settings.clients(), "rooms", settings.rooms(), "members", settings.members(),
                "nodes", settings.urls().size());
    }
}
