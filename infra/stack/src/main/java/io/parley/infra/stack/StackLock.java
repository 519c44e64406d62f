package io.parley.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One launcher per data directory: an OS file lock (released by the kernel when the holder dies,
 * so it is never stale) plus a pid file that names the holder in the error message.
 */
final class StackLock implements AutoCloseable {
    static final String PID_FILE = "launcher.pid";

    private final FileChannel channel;
    private final FileLock lock;
    private final Path pidFile;

    private StackLock(FileChannel channel, FileLock lock, Path pidFile) {
        this.channel = channel;
        this.lock = lock;
        this.pidFile = pidFile;
    }

    static StackLock acquire(Path runDir) {
        try {
            Files.createDirectories(runDir);
            Path pidFile = runDir.resolve(PID_FILE);
            FileChannel channel = FileChannel.open(runDir.resolve("launcher.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by this very JVM
            }
            if (lock == null) {
                channel.close();
                String holder = ChildProcess.readPid(pidFile).map(pid -> " (pid " + pid + ")").orElse("");
                throw new StackException("another Parley launcher" + holder + " is running with data directory "
                        + runDir.getParent() + "; stop it first, or set PARLEY_DATA_DIR to another directory");
            }
            Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
            return new StackLock(channel, lock, pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        ChildProcess.deleteQuietly(pidFile);
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the kernel releases the lock with the process anyway
        }
    }
}
