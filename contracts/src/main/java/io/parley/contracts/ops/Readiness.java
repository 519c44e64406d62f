/*
 * Readiness owns GET /ready of every process: named checks (does Kafka answer, does Cassandra,
 * is the consumer within its lag bound...) evaluated off the request path on a daemon timer, the
 * last verdict kept; ready only while every check passes. /health stays liveness.
 */
package io.parley.contracts.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Start once, close once; {@link #isReady()} and {@link #json()} never block. */
public final class Readiness implements AutoCloseable {

    /** One dependency or bound. Returns null when fine, else why not (short, for the JSON body). */
    @FunctionalInterface
    public interface Check {
        String problem() throws Exception;
    }

    private record Named(String name, Check check) {}

    private final List<Named> checks = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("parley-readiness").daemon(true).unstarted(r));
    private volatile Map<String, String> problems = Map.of("starting", "not checked yet");

    /**
     * PARLEY_READY_MAX_LAG, the same for every process: /ready is false while the process's input
     * lags more records than this (default 10000).
     */
    public static long maxLagFromEnv(Map<String, String> env) {
        String value = env.get("PARLEY_READY_MAX_LAG");
        try {
            return value == null || value.isBlank() ? 10_000 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PARLEY_READY_MAX_LAG is not a number: " + value);
        }
    }

    public Readiness add(String name, Check check) {
        checks.add(new Named(name, check));
        return this;
    }

    /** Evaluates every check now, then every {@code periodMs}. */
    public Readiness start(long periodMs) {
        timer.scheduleWithFixedDelay(this::evaluate, 0, periodMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Runs every check once (on the caller's thread) and keeps the verdict. */
    public void evaluate() {
        Map<String, String> found = new LinkedHashMap<>();
        for (Named named : checks) {
            String problem;
            try {
                problem = named.check().problem();
            } catch (Exception e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (problem != null) {
                found.put(named.name(), problem);
            }
        }
        problems = Map.copyOf(found);
    }

    /** Exposes the verdict as the gauge {@code parley_ready} (1 ready, 0 not) for alerts. */
    public Readiness bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.Gauge.builder("parley.ready", this, r -> r.isReady() ? 1 : 0)
                .description("1 while the process is ready (every readiness check passes), else 0").strongReference(true).register(registry);
        return this;
    }

    public boolean isReady() {
        return problems.isEmpty();
    }

    /** {@code {"status":"READY"}} or {@code {"status":"NOT_READY","problems":{"kafka":"..."}}}. */
    public String json() {
        Map<String, String> now = problems;
        if (now.isEmpty()) {
            return "{\"status\":\"READY\"}";
        }
        StringBuilder out = new StringBuilder("{\"status\":\"NOT_READY\",\"problems\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : now.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append('"').append(escape(e.getKey())).append("\":\"").append(escape(e.getValue())).append('"');
        }
        return out.append("}}").toString();
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
