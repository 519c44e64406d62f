/*
 * Report owns the load generator's output: one JSON object per phase (appended as one line to the
 * results file) and a readable summary of the same figures.
 */
package io.parley.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

public final class Report {
    private Report() {}

    public static Map<String, Object> latency(Histogram micros) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (micros == null || micros.getTotalCount() == 0) {
            out.put("count", 0);
            return out;
        }
        out.put("count", micros.getTotalCount());
        out.put("p50", ms(micros.getValueAtPercentile(50)));
        out.put("p90", ms(micros.getValueAtPercentile(90)));
        out.put("p99", ms(micros.getValueAtPercentile(99)));
        out.put("p999", ms(micros.getValueAtPercentile(99.9)));
        out.put("max", ms(micros.getMaxValue()));
        return out;
    }

    static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    /** The figures of one phase, with the server processes' CPU over it and their RSS after it. */
    public static Map<String, Object> phase(LoadGenerator.PhaseResult r, Map<String, ProcStats.Sample> before,
                                            Map<String, ProcStats.Sample> after, double loadgenCpu) {
        Tally.Phase p = r.phase();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ratePerClient", r.rate());
        out.put("sendSeconds", round(r.sendSeconds(), 2));
        out.put("drainSeconds", round(r.drainSeconds(), 2));
        out.put("sent", p.sent());
        out.put("acked", p.acked());
        out.put("rejected", p.rejected());
        out.put("errors", p.errors());
        out.put("expected", p.expected());
        out.put("received", p.received());
        out.put("lost", p.lost());
        out.put("duplicated", p.duplicated());
        out.put("outOfOrder", p.outOfOrder());
        out.put("unexpected", p.unexpected());
        out.put("dropped", r.dropped());
        out.put("e2eMs", latency(r.e2eMicros()));
        out.put("ackMs", latency(r.ackMicros()));
        out.put("deliveredPerSec", round(r.deliveredPerSecond(), 1));
        Map<String, Object> cpu = new LinkedHashMap<>();
        Map<String, Object> rss = new LinkedHashMap<>();
        double total = 0;
        for (var e : after.entrySet()) {
            ProcStats.Sample b = before.get(e.getKey());
            if (b == null || b.cpuSeconds() < 0 || e.getValue().cpuSeconds() < 0) {
                continue;
            }
            double d = e.getValue().cpuSeconds() - b.cpuSeconds();
            total += d;
            cpu.put(e.getKey(), round(d, 2));
            rss.put(e.getKey(), round(e.getValue().rssKb() / 1024.0, 1));
        }
        out.put("cpuSeconds", cpu);
        out.put("serverCpuSeconds", round(total, 2));
        out.put("cpuSecPer1000Deliveries", p.received() == 0 ? null : round(total / (p.received() / 1000.0), 4));
        out.put("rssMb", rss);
        out.put("loadgenCpuSeconds", round(loadgenCpu, 2));
        if (r.historyMicros() != null) {
            Map<String, Object> history = new LinkedHashMap<>();
            history.put("ok", r.historyOk());
            history.put("failed", r.historyFailed());
            history.put("latencyMs", latency(r.historyMicros()));
            out.put("history", history);
        }
        return out;
    }

    public static Map<String, Object> connect(LoadGenerator.ConnectResult c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("opened", c.opened());
        out.put("failed", c.failed());
        out.put("seconds", round(c.seconds(), 2));
        out.put("latencyMs", latency(c.connectMicros()));
        if (c.firstFailure() != null) {
            out.put("firstFailure", c.firstFailure());
        }
        return out;
    }

    public static String json(Map<String, Object> report) {
        try {
            return NativeClient.JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A readable summary of a phase report made by {@link #phase}. */
    @SuppressWarnings("unchecked")
    public static String summary(Map<String, Object> r) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "== %s %s: %s clients, %s rooms of %s, %s msg/s each%n",
                r.get("system"), r.get("scenario"), r.get("clients"), r.get("rooms"), r.get("members"), r.get("ratePerClient")));
        if (r.get("connect") instanceof Map<?, ?> c) {
            out.append(String.format(Locale.ROOT, "  connect: %s opened, %s failed in %s s; %s%n",
                    c.get("opened"), c.get("failed"), c.get("seconds"), c.get("latencyMs")));
        }
        if (r.containsKey("sent")) {
            out.append(String.format(Locale.ROOT,
                    "  sent %s, acked %s, rejected %s %s; deliveries expected %s, received %s: lost %s, duplicated %s, out of order %s (unexpected %s, dropped sockets %s)%n",
                    r.get("sent"), r.get("acked"), r.get("rejected"), r.get("errors"), r.get("expected"), r.get("received"),
                    r.get("lost"), r.get("duplicated"), r.get("outOfOrder"), r.get("unexpected"), r.get("dropped")));
            out.append("  end-to-end ms ").append(r.get("e2eMs")).append('\n');
            out.append("  ack ms        ").append(r.get("ackMs")).append('\n');
            out.append(String.format(Locale.ROOT, "  delivered/s %s; server CPU %s s (%s per 1,000 deliveries) %s; loadgen CPU %s s%n",
                    r.get("deliveredPerSec"), r.get("serverCpuSeconds"), r.get("cpuSecPer1000Deliveries"),
                    r.get("cpuSeconds"), r.get("loadgenCpuSeconds")));
            out.append("  RSS MB ").append(r.get("rssMb")).append("; machine load average ").append(r.get("loadAverage1m")).append('\n');
            if (r.containsKey("outsideCpuCores")) {
                out.append(String.format(Locale.ROOT, "  CPU used outside the benchmark: %s s (%s cores)%s%n",
                        r.get("outsideCpuSeconds"), r.get("outsideCpuCores"),
                        Boolean.TRUE.equals(r.get("valid")) ? "" : "  ** INVALID: the machine was not quiet **"));
            }
            if (r.get("kafkaPerMessage") instanceof Map<?, ?> k && k.containsKey("recordsPerMessage")) {
                out.append(String.format(Locale.ROOT, "  Kafka per message: %s records, %s bytes %s%n",
                        k.get("recordsPerMessage"), k.get("bytesPerMessage"), k.get("topics")));
            }
            if (r.get("history") instanceof Map<?, ?> h) {
                out.append("  history reads ").append(h).append('\n');
            }
        }
        if (r.get("memory") instanceof Map<?, ?> m) {
            out.append("  memory ").append(m).append('\n');
        }
        return out.toString();
    }
}
