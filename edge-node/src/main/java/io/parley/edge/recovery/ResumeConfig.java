/*
 * ResumeConfig owns the settings of resume on the edge (io.parley.edge.recovery), read from the
 * environment with documented defaults.
 */
package io.parley.edge.recovery;

import java.util.Map;
import java.util.function.BiFunction;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_HISTORY_URL</td><td>http://127.0.0.1:8090</td><td>the history store's base URL, where a
 * resume reads missed messages ({@code GET /v1/rooms/{id}/messages?after=}); empty: resumes are answered
 * {@code truncated: true} at once</td></tr>
 * <tr><td>PARLEY_RESUME_MAX_CONCURRENT</td><td>64</td><td>rooms being recovered at once on this node; a
 * join-room with lastSeq or a resume beyond it is refused with UNAVAILABLE and retryAfterMs</td></tr>
 * <tr><td>PARLEY_RESUME_WAIT_MS</td><td>30000</td><td>how long a recovery waits, without progress, for the
 * history store to catch up before it ends with {@code truncated: true}</td></tr>
 * <tr><td>PARLEY_RESUME_HOLD_LIMIT</td><td>10000</td><td>live events held per recovering room; past it they
 * are dropped and their messages read from the store too</td></tr>
 * <tr><td>PARLEY_SIO_RECOVERY_MS</td><td>120000</td><td>Socket.IO connection-state recovery: how long a
 * disconnected socket's session (rooms, last seqs) is kept in Redis for the stock client to recover
 * (Socket.IO's maxDisconnectionDuration); 0 = off</td></tr>
 * <tr><td>PARLEY_RESUME_SUBSCRIBE_HOLD_MS</td><td>2000</td><td>a connection the processors subscribe to a
 * room of its user's (membership by user) gets that room's live events held this long, so that a
 * reconnecting client's join-room with lastSeq (or resume) takes them over with no duplicate and no
 * reordering at the seam; released at once by a plain join-room of the room; 0 = not held</td></tr>
 * </table>
 */
public record ResumeConfig(String historyUrl, int maxConcurrent, long waitMs, int holdLimit, long sioRecoveryMs,
                           long subscribeHoldMs) {
    /** Default of PARLEY_RESUME_SUBSCRIBE_HOLD_MS. */
    public static final long DEFAULT_SUBSCRIBE_HOLD_MS = 2_000;

    /** The history API's largest page. */
    public static final int PAGE_SIZE = 200;
    /** What a refused resume tells the client to wait. */
    public static final long RETRY_AFTER_MS = 1_000;

    public ResumeConfig {
        historyUrl = historyUrl == null || historyUrl.isBlank() ? null : historyUrl.strip().replaceAll("/+$", "");
        if (historyUrl != null && !historyUrl.matches("https?://.+")) {
            throw new IllegalArgumentException("PARLEY_HISTORY_URL must be an http(s) URL (got '" + historyUrl + "')");
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("PARLEY_RESUME_MAX_CONCURRENT must be >= 1");
        }
        if (waitMs < 0) {
            throw new IllegalArgumentException("PARLEY_RESUME_WAIT_MS must be >= 0");
        }
        if (holdLimit < 1) {
            throw new IllegalArgumentException("PARLEY_RESUME_HOLD_LIMIT must be >= 1");
        }
        if (sioRecoveryMs < 0) {
            throw new IllegalArgumentException("PARLEY_SIO_RECOVERY_MS must be >= 0");
        }
        if (subscribeHoldMs < 0) {
            throw new IllegalArgumentException("PARLEY_RESUME_SUBSCRIBE_HOLD_MS must be >= 0");
        }
    }

    /** Without a subscription hold (tests of the resume seam alone). */
    public ResumeConfig(String historyUrl, int maxConcurrent, long waitMs, int holdLimit, long sioRecoveryMs) {
        this(historyUrl, maxConcurrent, waitMs, holdLimit, sioRecoveryMs, 0);
    }

    public static ResumeConfig defaults() {
        return new ResumeConfig("http://127.0.0.1:8090", 64, 30_000, 10_000, 120_000, DEFAULT_SUBSCRIBE_HOLD_MS);
    }

    public static ResumeConfig fromEnv(Map<String, String> env, BiFunction<String, Long, Long> longOf) {
        return new ResumeConfig(env.getOrDefault("PARLEY_HISTORY_URL", "http://127.0.0.1:8090"),
                Math.toIntExact(longOf.apply("PARLEY_RESUME_MAX_CONCURRENT", 64L)),
                longOf.apply("PARLEY_RESUME_WAIT_MS", 30_000L),
                Math.toIntExact(longOf.apply("PARLEY_RESUME_HOLD_LIMIT", 10_000L)),
                longOf.apply("PARLEY_SIO_RECOVERY_MS", 120_000L),
                longOf.apply("PARLEY_RESUME_SUBSCRIBE_HOLD_MS", DEFAULT_SUBSCRIBE_HOLD_MS));
    }
}
