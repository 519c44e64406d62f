/*
 * OpsConfig owns the edge node's operations settings, from the environment (documented defaults):
 *   PARLEY_ADMIN_TOKEN          the admin API's credential (unset: the admin API answers 404)
 *   PARLEY_DRAIN_GRACE_MS       on SIGTERM, how long replies to already accepted commands may
 *                               still come back before the sockets are closed (default 500)
 *   PARLEY_READY_MAX_LAG        /ready is false while the deliveries consumer lags more records
 *                               than this (default 10000)
 *   PARLEY_READY_CHECK_MS       how often the readiness checks run (default 1000)
 */
package io.parley.edge.metrics;

import java.util.Map;

public record OpsConfig(String adminToken, long drainGraceMs, long readyMaxLag, long readyCheckMs) {

    /** For tests that build an EdgeNode directly: no admin API, no drain grace. */
    public static OpsConfig defaults() {
        return new OpsConfig(null, 0, 10_000, 1_000);
    }

    public static OpsConfig fromEnv(Map<String, String> env) {
        String token = env.get("PARLEY_ADMIN_TOKEN");
        return new OpsConfig(token == null || token.isBlank() ? null : token.strip(),
                number(env, "PARLEY_DRAIN_GRACE_MS", 500, 0),
                number(env, "PARLEY_READY_MAX_LAG", 10_000, 0),
                number(env, "PARLEY_READY_CHECK_MS", 1_000, 100));
    }

    private static long number(Map<String, String> env, String name, long fallback, long min) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.strip());
            if (n < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number: " + value);
        }
    }
}
