/*
 * CrashPoints owns the processors' test hook for crash-safety tests: named points in the code where
 * a test can make the real process die (Runtime.halt: no shutdown hook, no commit, no flush of what
 * was not yet sent), armed only by the environment variable PARLEY_TEST_CRASH_POINT=<name>.
 * Unset (always, outside such a test) every point is a no-op. Before halting it waits
 * SETTLE_MS so the state-store changelog writes made so far reach Kafka (the producer lingers):
 * the crash then falls exactly between those writes and the outputs that follow them, the case
 * crash safety must handle. Used only by NodeExpiryCrashIT (infra/e2e).
 */
package io.parley.processors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Named crash points; {@link #reach} halts the process when its name is armed. */
public final class CrashPoints {
    private static final Logger LOG = LoggerFactory.getLogger(CrashPoints.class);
    public static final String ENV = "PARLEY_TEST_CRASH_POINT";
    /** The room stage wrote the state of a node expiry's first synthetic leave; its outputs not yet forwarded. */
    public static final String ROOM_EXPIRY_LEAVE_WRITTEN = "room-expiry-leave-written";
    /** The lease stage stored a restart (new boot id) decision; its NodeExpired not yet forwarded. */
    public static final String LEASE_RESTART_STORED = "lease-restart-stored";
    /** The lease stage stored a lease expiry; its NodeExpired not yet forwarded. */
    public static final String LEASE_EXPIRY_STORED = "lease-expiry-stored";
    static final long SETTLE_MS = 2_000;

    private static final String ARMED = System.getenv(ENV);

    private CrashPoints() {}

    /** Halts the process (exit status 86) if {@code name} is the armed point; else nothing. */
    public static void reach(String name) {
        if (ARMED == null || name == null || !ARMED.strip().equals(name)) {
            return;
        }
        LOG.warn("crash point {} reached ({} is set): halting in {} ms", name, ENV, SETTLE_MS);
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(86);
    }
}
