/*
 * Main owns the load generator's command line: one run (load, ramp or idle) against Parley's edge
 * nodes or the Socket.IO yardstick, bounded in count and time, on loopback addresses only; it
 * prints a readable summary and appends one JSON line per phase to --out.
 */
package io.parley.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

public final class Main {
    private static final String USAGE = """
            usage: loadgen --system parley|socketio --urls ws://127.0.0.1:8080/ws,... (--secret S | --secret-file F)
                           [--mode load|ramp|idle|overload] [--overload-rate 3.0] [--recovery 30 s] [--scenario NAME] [--clients 1000] [--rooms 100]
                           [--rate 1.0 msg/s per client] [--duration 30 s] [--drain 15 s]
                           [--ramp-rates 1,2,3,4] [--p99-limit-ms 100]
                           [--history-url http://127.0.0.1:8090] [--history-rate 20 per s]
                           [--pid-dir <data>/run] [--procs name=pid,...] [--out results.jsonl]
                           [--hold 10 s] [--mem-procs name,...] [--java-heap name,...] [--mem-url name=url,...]
                           [--warmup 0 s: an unmeasured phase at the same rate before every measured phase]
                           [--max-outside-cores 0.5: a phase with more CPU used outside the benchmark is marked invalid]
                           [--kafka-bootstrap 127.0.0.1:19092: records and bytes per topic per message]
                           [--http-clients 4] [--connect-concurrency 100] [--connect-timeout 30 s] [--tag RUN]
                           [--resume false: parley only; true: a dropped socket reconnects to the next node and
                            resumes its rooms from their last seq, unacked sends go again with their clientMsgId]
            """;
    /** Hard bounds, whatever the command line says. */
    static final int MAX_CLIENTS = 20_000;
    static final double MAX_SECONDS = 600;

    private Main() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        if (o.containsKey("help") || !o.containsKey("urls")) {
            System.out.print(USAGE);
            System.exit(o.containsKey("help") ? 0 : 64);
        }
        List<String> urls = Arrays.stream(o.get("urls").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        urls.forEach(Main::requireLoopback);
        if (o.containsKey("history-url")) {
            requireLoopback(o.get("history-url"));
        }
        String secret = o.containsKey("secret") ? o.get("secret")
                : Files.readString(Path.of(require(o, "secret-file"))).strip();
        Client.Kind kind = Client.Kind.valueOf(o.getOrDefault("system", "parley").toUpperCase());
        String mode = o.getOrDefault("mode", "load");
        int clients = bounded(Integer.parseInt(o.getOrDefault("clients", "1000")), 1, MAX_CLIENTS, "clients");
        int rooms = mode.equals("idle") ? 0 : Integer.parseInt(o.getOrDefault("rooms", "100"));
        String tag = o.getOrDefault("tag", Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36));
        LoadGenerator.Settings settings = new LoadGenerator.Settings(kind, urls, secret, clients, rooms,
                Integer.parseInt(o.getOrDefault("http-clients", "4")),
                Integer.parseInt(o.getOrDefault("connect-concurrency", "100")),
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("connect-timeout", "30"))), tag,
                o.getOrDefault("issuer", "parley"), o.getOrDefault("audience", "parley"));
        Map<String, Long> procs = new LinkedHashMap<>();
        if (o.containsKey("pid-dir")) {
            procs.putAll(ProcStats.pidDir(Path.of(o.get("pid-dir"))));
        }
        pairs(o.get("procs")).forEach((k, v) -> procs.put(k, Long.parseLong(v)));

        Map<String, Object> base = new LinkedHashMap<>();
        base.put("system", kind == Client.Kind.PARLEY ? "parley" : "socketio");
        base.put("scenario", o.getOrDefault("scenario", mode));
        base.put("mode", mode);
        base.put("tag", tag);
        base.putAll(Map.of("clients", clients, "rooms", rooms, "members", settings.members(), "nodes", urls.size()));

        try (LoadGenerator generator = new LoadGenerator(settings)
                .resuming(Boolean.parseBoolean(o.getOrDefault("resume", "false")))) {
            Map<String, Object> memoryBefore = mode.equals("idle") ? memory(o, procs) : null;
            LoadGenerator.ConnectResult connect = generator.connect();
            base.put("connect", Report.connect(connect));
            switch (mode) {
                case "idle" -> idle(o, base, generator, connect, procs, memoryBefore);
                case "load" -> {
                    double rate = Double.parseDouble(o.getOrDefault("rate", "1"));
                    Duration duration = seconds(o.getOrDefault("duration", "30"));
                    Map<String, Object> report = new LinkedHashMap<>(base);
                    report.putAll(phase(o, generator, 0, rate, duration, seconds(o.getOrDefault("drain", "15")),
                            history(o), procs));
                    emit(o, report);
                }
                case "ramp" -> ramp(o, base, generator, procs);
                case "overload" -> overload(o, base, generator, procs);
                default -> throw new IllegalArgumentException("unknown --mode " + mode);
            }
        }
        System.exit(0);
    }

    /**
     * Overload: a warm-up at --rate, then --duration at --overload-rate (measured, no drain: the
     * recovery starts the moment the overload stops), then --recovery at --rate (measured, drained).
     * The overload phase's counts are reported again after the recovery's drain, when every late
     * delivery of it has arrived: refusals by code, lost, duplicated.
     */
    private static void overload(Map<String, String> o, Map<String, Object> base, LoadGenerator generator,
                                 Map<String, Long> procs) throws InterruptedException, IOException {
        double rate = Double.parseDouble(o.getOrDefault("rate", "1"));
        double overloadRate = Double.parseDouble(o.getOrDefault("overload-rate", "3"));
        Duration warmup = seconds(o.getOrDefault("warmup", "0"));
        Duration drain = seconds(o.getOrDefault("drain", "30"));
        if (!warmup.isZero()) {
            generator.runPhase(WARMUP_PHASE_IDS, rate, warmup, drain, null);
        }
        Map<String, String> measured = new HashMap<>(o);
        measured.put("warmup", "0");
        Map<String, Object> over = new LinkedHashMap<>(base);
        over.put("step", "overload");
        over.putAll(phase(measured, generator, 0, overloadRate, seconds(o.getOrDefault("duration", "60")), Duration.ZERO,
                null, procs));
        emit(o, over);
        Map<String, Object> recovery = new LinkedHashMap<>(base);
        recovery.put("step", "recovery");
        recovery.putAll(phase(measured, generator, 1, rate, seconds(o.getOrDefault("recovery", "30")), drain, null, procs));
        emit(o, recovery);
        Tally.Phase p = generator.phaseOf(0);
        Map<String, Object> result = new LinkedHashMap<>(base);
        result.put("mode", "overload-result");
        result.put("overloadRatePerClient", overloadRate);
        result.put("sent", p.sent());
        result.put("acked", p.acked());
        result.put("rejected", p.rejected());
        result.put("errors", p.errors());
        result.put("expected", p.expected());
        result.put("received", p.received());
        result.put("lost", p.lost());
        result.put("duplicated", p.duplicated());
        result.put("outOfOrder", p.outOfOrder());
        System.out.printf("== %s overload at %s msg/s per client, final: sent %d, acked %d, rejected %d %s, lost %d, duplicated %d, out of order %d%n",
                base.get("system"), overloadRate, p.sent(), p.acked(), p.rejected(), p.errors(), p.lost(), p.duplicated(), p.outOfOrder());
        append(o, Report.json(result));
    }

    private static void ramp(Map<String, String> o, Map<String, Object> base, LoadGenerator generator,
                             Map<String, Long> procs) throws InterruptedException, IOException {
        double limitMs = Double.parseDouble(o.getOrDefault("p99-limit-ms", "100"));
        Duration step = seconds(o.getOrDefault("duration", "15"));
        Duration drain = seconds(o.getOrDefault("drain", "15"));
        double best = 0;
        double bestRate = 0;
        String stop = "all steps passed";
        int phase = 0;
        for (String text : o.getOrDefault("ramp-rates", "1,2,3,4,6,8").split(",")) {
            double rate = Double.parseDouble(text.strip());
            Map<String, Object> report = new LinkedHashMap<>(base);
            report.put("step", phase);
            report.putAll(phase(o, generator, phase++, rate, step, drain, null, procs));
            emit(o, report);
            @SuppressWarnings("unchecked")
            Map<String, Object> e2e = (Map<String, Object>) report.get("e2eMs");
            double p99 = e2e.get("p99") instanceof Number n ? n.doubleValue() : Double.MAX_VALUE;
            long bad = (long) report.get("lost") + (long) report.get("duplicated") + (long) report.get("rejected");
            if (p99 > limitMs || bad > 0 || (long) report.get("dropped") > 0) {
                stop = String.format("step at %s msg/s per client: p99 %s ms, lost %s, duplicated %s, rejected %s, dropped %s",
                        rate, p99, report.get("lost"), report.get("duplicated"), report.get("rejected"), report.get("dropped"));
                break;
            }
            double delivered = (double) report.get("deliveredPerSec");
            if (delivered > best) {
                best = delivered;
                bestRate = rate;
            }
        }
        Map<String, Object> result = new LinkedHashMap<>(base);
        result.put("mode", "ramp-result");
        result.put("highestDeliveredPerSec", best);
        result.put("atRatePerClient", bestRate);
        result.put("stoppedBy", stop);
        System.out.printf("== %s %s: highest delivered rate %.0f/s (at %s msg/s per client); stopped by: %s%n",
                base.get("system"), base.get("scenario"), best, bestRate, stop);
        append(o, Report.json(result));
    }

    private static KafkaCensus sharedCensus;

    private static synchronized KafkaCensus census(String bootstrap) {
        if (sharedCensus == null) {
            sharedCensus = new KafkaCensus(bootstrap);
        }
        return sharedCensus;
    }

    /** Warm-up phases take ids from here on, so they never mix with the measured ones. */
    private static final int WARMUP_PHASE_IDS = 1000;

    private static Map<String, Object> phase(Map<String, String> o, LoadGenerator generator, int id, double rate,
                                             Duration duration, Duration drain, LoadGenerator.HistoryLoad history,
                                             Map<String, Long> procs) throws InterruptedException {
        Duration warmup = seconds(o.getOrDefault("warmup", "0"));
        Map<String, Object> warm = null;
        if (!warmup.isZero()) {
            LoadGenerator.PhaseResult w = generator.runPhase(WARMUP_PHASE_IDS + id, rate, warmup, drain, history);
            warm = new LinkedHashMap<>();
            warm.put("seconds", warmup.toMillis() / 1000.0);
            warm.put("sent", w.phase().sent());
            warm.put("lost", w.phase().lost());
            warm.put("rejected", w.phase().rejected());
            System.out.printf("  warm-up: %s s at %s msg/s per client, sent %d, lost %d, rejected %d (not measured)%n",
                    warm.get("seconds"), rate, w.phase().sent(), w.phase().lost(), w.phase().rejected());
        }
        KafkaCensus census = o.containsKey("kafka-bootstrap") ? census(o.get("kafka-bootstrap")) : null;
        Map<String, KafkaCensus.Count> kafkaBefore = census == null ? null : census.snapshot();
        double machineBefore = ProcStats.machineBusySeconds();
        long wallBefore = System.nanoTime();
        Map<String, ProcStats.Sample> before = ProcStats.sample(procs);
        Map<String, Map<String, Double>> threadsBefore = new LinkedHashMap<>();
        procs.forEach((name, pid) -> threadsBefore.put(name, ProcStats.threads(pid)));
        double selfBefore = ProcStats.sample(0).cpuSeconds();
        LoadGenerator.PhaseResult result = generator.runPhase(id, rate, duration, drain, history);
        Map<String, ProcStats.Sample> after = ProcStats.sample(procs);
        double loadgenCpu = ProcStats.sample(0).cpuSeconds() - selfBefore;
        Map<String, KafkaCensus.Count> kafkaAfter = census == null ? null : census.snapshot();
        double machine = ProcStats.machineBusySeconds() - machineBefore;
        double wall = (System.nanoTime() - wallBefore) / 1e9;
        Map<String, Object> report = Report.phase(result, before, after, loadgenCpu);
        if (warm != null) {
            report.put("warmup", warm);
        }
        report.put("loadAverage1m", ProcStats.loadAverage());
        if (census != null) {
            report.put("kafkaPerMessage", KafkaCensus.perMessage(kafkaBefore, kafkaAfter, result.phase().acked()));
        }
        if (machineBefore >= 0) {
            double outside = Math.max(0, machine - (double) report.get("serverCpuSeconds") - loadgenCpu);
            double cores = outside / wall;
            double limit = Double.parseDouble(o.getOrDefault("max-outside-cores", "0.5"));
            report.put("outsideCpuSeconds", Report.round(outside, 2));
            report.put("outsideCpuCores", Report.round(cores, 3));
            report.put("valid", cores <= limit);
        }
        Map<String, Object> threads = new LinkedHashMap<>();
        procs.forEach((name, pid) -> threads.put(name, ProcStats.topThreads(threadsBefore.get(name), ProcStats.threads(pid), 5)));
        report.put("topThreadsCpuSeconds", threads);
        return report;
    }

    private static void idle(Map<String, String> o, Map<String, Object> base, LoadGenerator generator,
                             LoadGenerator.ConnectResult connect, Map<String, Long> procs,
                             Map<String, Object> before) throws Exception {
        Thread.sleep(seconds(o.getOrDefault("settle", "5")).toMillis());
        Map<String, Object> after = memory(o, procs);
        Thread.sleep(seconds(o.getOrDefault("hold", "10")).toMillis());
        int alive = generator.connected() - (int) Client.DROPPED.get();
        Map<String, Object> report = new LinkedHashMap<>(base);
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("before", before);
        memory.put("after", after);
        memory.put("aliveAfterHold", alive);
        List<String> targets = o.containsKey("mem-procs") ? List.of(o.get("mem-procs").split(",")) : List.of();
        long rssDelta = 0;
        long heapDelta = 0;
        boolean heap = false;
        for (String name : targets) {
            rssDelta += delta(before, after, name, "rssKb");
            if (after.get(name) instanceof Map<?, ?> m && m.containsKey("heapKb")) {
                heapDelta += delta(before, after, name, "heapKb");
                heap = true;
            }
        }
        if (!targets.isEmpty() && connect.opened() > 0) {
            memory.put("rssKbPerConnection", Report.round((double) rssDelta / connect.opened(), 2));
            if (heap) {
                memory.put("heapKbPerConnection", Report.round((double) heapDelta / connect.opened(), 2));
            }
        }
        report.put("memory", memory);
        emit(o, report);
    }

    private static long delta(Map<String, Object> before, Map<String, Object> after, String name, String key) {
        if (before.get(name) instanceof Map<?, ?> b && after.get(name) instanceof Map<?, ?> a
                && b.get(key) instanceof Number x && a.get(key) instanceof Number y) {
            return y.longValue() - x.longValue();
        }
        return 0;
    }

    /** RSS of every process; heap after GC of the JVMs in --java-heap; a yardstick's own /mem report. */
    private static Map<String, Object> memory(Map<String, String> o, Map<String, Long> procs) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> javaHeap = o.containsKey("java-heap") ? List.of(o.get("java-heap").split(",")) : List.of();
        Map<String, String> memUrls = pairs(o.get("mem-url"));
        // HTTP/1.1: an h2c upgrade request is refused by servers that take upgrades for WebSockets (Socket.IO).
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        procs.forEach((name, pid) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            if (javaHeap.contains(name)) {
                m.put("heapKb", ProcStats.heapUsedAfterGcKb(pid));
            }
            if (memUrls.containsKey(name)) {
                try {
                    var node = NativeClient.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(memUrls.get(name)))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body());
                    m.put("heapKb", node.path("heapUsed").asLong() / 1024);
                } catch (IOException | InterruptedException e) {
                    m.put("heapError", e.toString());
                }
            }
            m.put("rssKb", ProcStats.sample(pid).rssKb());
            out.put(name, m);
        });
        return out;
    }

    private static LoadGenerator.HistoryLoad history(Map<String, String> o) {
        return o.containsKey("history-url")
                ? new LoadGenerator.HistoryLoad(o.get("history-url"), Double.parseDouble(o.getOrDefault("history-rate", "20")))
                : null;
    }

    private static void emit(Map<String, String> o, Map<String, Object> report) throws IOException {
        System.out.print(Report.summary(report));
        String line = Report.json(report);
        System.out.println(line);
        append(o, line);
    }

    private static void append(Map<String, String> o, String line) throws IOException {
        if (o.containsKey("out")) {
            Files.writeString(Path.of(o.get("out")), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.out.flush();
    }

    private static Duration seconds(String value) {
        double s = Double.parseDouble(value);
        if (s < 0 || s > MAX_SECONDS) {
            throw new IllegalArgumentException("durations are bounded: 0 to " + MAX_SECONDS + " s (got " + value + ")");
        }
        return Duration.ofMillis((long) (s * 1000));
    }

    private static int bounded(int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** Only loopback targets: this is a load generator. */
    static void requireLoopback(String url) {
        try {
            String host = URI.create(url).getHost();
            if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException("not a loopback address: " + url);
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in " + url);
        }
    }

    private static String require(Map<String, String> o, String key) {
        String value = o.get(key);
        if (value == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }

    private static Map<String, String> pairs(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text != null) {
            for (String pair : text.split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
                }
            }
        }
        return out;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        List<String> list = new ArrayList<>(List.of(args));
        for (int i = 0; i < list.size(); i++) {
            String a = list.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String key = a.substring(2);
            if (key.equals("help")) {
                out.put(key, "");
            } else if (i + 1 < list.size()) {
                out.put(key, list.get(++i));
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        return out;
    }
}
