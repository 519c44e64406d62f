/*
 * ProcStats owns reading the cost of server processes from /proc: CPU time (utime + stime of
 * /proc/<pid>/stat, in clock ticks of 1/100 s) and resident memory (VmRSS of /proc/<pid>/status),
 * and, for JVMs, the heap in use after a full GC (jcmd GC.run, GC.heap_info).
 */
package io.parley.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class ProcStats {
    /** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
    static final double TICKS_PER_SECOND = 100.0;
    private static final Pattern HEAP_USED = Pattern.compile("(?:heap|Heap)\\s+total[^\\n]*?used (\\d+)K");

    private ProcStats() {}

    /** One reading of a process: CPU seconds so far and RSS in KiB; -1 when it cannot be read. */
    public record Sample(double cpuSeconds, long rssKb) {}

    public static Map<String, Sample> sample(Map<String, Long> pids) {
        Map<String, Sample> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> out.put(name, sample(pid)));
        return out;
    }

    public static Sample sample(long pid) {
        String proc = pid == 0 ? "self" : Long.toString(pid);
        try {
            String stat = Files.readString(Path.of("/proc", proc, "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc", proc, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return new Sample(cpu, rss);
        } catch (IOException | RuntimeException e) {
            return new Sample(-1, -1);
        }
    }

    /** Reads {@code <dir>/*.pid} (the launcher's run directory), leaving out the launcher itself. */
    public static Map<String, Long> pidDir(Path dir) {
        Map<String, Long> out = new LinkedHashMap<>();
        try (var files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".pid") && !name.equals("launcher.pid")) {
                    out.put(name.substring(0, name.length() - 4), Long.parseLong(Files.readString(file).strip()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("cannot read pid files in " + dir + ": " + e.getMessage());
        }
        return out;
    }

    /** CPU seconds so far of every thread of {@code pid}, summed by thread name (digits folded to '#'). */
    public static Map<String, Double> threads(long pid) {
        Map<String, Double> out = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
                    out.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** The threads (by name) that used the most CPU between two {@link #threads} readings. */
    public static Map<String, Double> topThreads(Map<String, Double> before, Map<String, Double> after, int n) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(n)
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return out;
    }

    /**
     * CPU seconds the whole machine has spent busy so far (every state of the first line of
     * /proc/stat but idle and iowait); -1 when it cannot be read. The CPU used outside a benchmark
     * is this machine-wide figure minus the benchmark's own processes over the same window.
     */
    public static double machineBusySeconds() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = first.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The 1-minute load average of the machine (how busy the shared machine was). */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The JVM's heap in use after a full GC, in KiB, via jcmd; -1 when jcmd fails. */
    public static long heapUsedAfterGcKb(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            run(jcmd, Long.toString(pid), "GC.run");
            String info = run(jcmd, Long.toString(pid), "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return out;
    }
}
