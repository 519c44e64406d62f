package io.parley.infra.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server process started by the launcher: one pid file, one log file, stopped by PID.
 *
 * <p>Children are started under {@code setpriv --pdeathsig TERM} where the tool exists, so the
 * kernel stops them even when the launcher itself is killed with SIGKILL. The parent-death
 * signal fires when the <em>thread</em> that forked the child ends, so every child is forked
 * from one spawner thread that lives as long as the JVM.
 */
final class ChildProcess implements AutoCloseable {
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parley-spawner");
        t.setDaemon(true);
        return t;
    });
    private static final boolean HAS_SETPRIV = Files.isExecutable(Path.of("/usr/bin/setpriv"));

    private final String name;
    private final Process process;
    private final Path pidFile;
    private final Path logFile;

    private ChildProcess(String name, Process process, Path pidFile, Path logFile) {
        this.name = name;
        this.process = process;
        this.pidFile = pidFile;
        this.logFile = logFile;
    }

    /** Starts {@code command}, appending its output to {@code logs/<name>.log}, its pid in {@code run/<name>.pid}. */
    static ChildProcess start(StackConfig config, String name, List<String> command, Path workDir,
                              Map<String, String> extraEnv) {
        Path logFile = config.logDir().resolve(name + ".log");
        Path pidFile = config.runDir().resolve(name + ".pid");
        List<String> full = new ArrayList<>();
        if (HAS_SETPRIV) {
            full.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "TERM", "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(extraEnv);
        try {
            Files.createDirectories(config.logDir());
            Files.createDirectories(config.runDir());
            Process process = SPAWNER.submit(builder::start).get(30, TimeUnit.SECONDS);
            Files.writeString(pidFile, Long.toString(process.pid()));
            return new ChildProcess(name, process, pidFile, logFile);
        } catch (ExecutionException e) {
            throw new StackException("could not start " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while starting " + name);
        } catch (TimeoutException e) {
            throw new StackException("starting " + name + " did not return within 30 s");
        }
    }

    /** Runs a short-lived command to completion (e.g. formatting storage); fails with its output. */
    static void runToCompletion(StackConfig config, String name, List<String> command, Path workDir,
                                Duration timeout) {
        ChildProcess child = start(config, name, command, workDir, Map.of());
        try {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                child.close();
                throw new StackException(name + " did not finish within " + timeout.toSeconds() + " s");
            }
            if (child.process.exitValue() != 0) {
                throw new StackException(name + " failed (exit " + child.process.exitValue() + "):\n" + child.logTail(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.close();
            throw new StackException("interrupted while running " + name);
        } finally {
            deleteQuietly(child.pidFile);
        }
    }

    String name() { return name; }

    long pid() { return process.pid(); }

    boolean isAlive() { return process.isAlive(); }

    Path logFile() { return logFile; }

    /** Fails with the end of the log if the process has already exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new StackException(name + " exited with code " + process.exitValue()
                    + " (log: " + logFile + "):\n" + logTail(30));
        }
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * SIGKILL, then waits (at most 30 s) for the exit on the Process itself (which the JDK reaps:
     * a ProcessHandle looked up by pid can miss an exit that was already reaped); removes the pid file.
     */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(pidFile);
    }

    /** SIGTERM, up to 45 s to exit cleanly, then SIGKILL; removes the pid file. */
    @Override
    public void close() {
        terminate(process.toHandle(), Duration.ofSeconds(45));
        deleteQuietly(pidFile);
    }

    static void terminate(ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            handle.destroyForcibly();
            handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        }
    }

    /**
     * Stops what a launcher that died without cleaning up left behind: every process named in a
     * pid file under {@code run/} that is still alive and whose command line names our data
     * directory (so a recycled pid of an unrelated process is never touched).
     *
     * @return one line per process found, for the user
     */
    static List<String> reapLeftovers(StackConfig config) {
        List<String> report = new ArrayList<>();
        Path runDir = config.runDir();
        if (!Files.isDirectory(runDir)) {
            return report;
        }
        try (var files = Files.list(runDir)) {
            for (Path pidFile : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                if (pidFile.getFileName().toString().equals(StackLock.PID_FILE)) {
                    continue;
                }
                Optional<ProcessHandle> handle = readPid(pidFile).flatMap(ProcessHandle::of);
                if (handle.isPresent() && handle.get().isAlive() && commandLineMentions(handle.get(), config.dataDir())) {
                    report.add("stopping " + pidFile.getFileName() + " (pid " + handle.get().pid()
                            + ") left running by a launcher that did not stop cleanly");
                    terminate(handle.get(), Duration.ofSeconds(30));
                } else {
                    report.add("removing stale pid file " + pidFile);
                }
                deleteQuietly(pidFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return report;
    }

    static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean commandLineMentions(ProcessHandle handle, Path dataDir) {
        try {
            // /proc/<pid>/cmdline has every argument, unlike ProcessHandle.Info on some JDKs.
            String cmdline = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "cmdline"))
                    .replace('\0', ' ');
            return cmdline.contains(dataDir.toString());
        } catch (IOException e) {
            return handle.info().commandLine().map(c -> c.contains(dataDir.toString())).orElse(false);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // nothing to do: a leftover pid file is reaped on the next start
        }
    }
}
