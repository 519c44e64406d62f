/*
 * KafkaClientConfig owns the edge node's Kafka client tuning, part of EdgeConfig (read there from
 * the environment): the command producer's linger and the deliveries consumer's fetch settings.
 */
package io.parley.edge;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_EDGE_LINGER_MS</td><td>1</td><td>producer linger.ms</td></tr>
 * <tr><td>PARLEY_EDGE_FETCH_MIN_BYTES</td><td>1</td><td>the deliveries consumer's fetch.min.bytes: the broker answers a
 * fetch once this much is there (or the wait below passed)</td></tr>
 * <tr><td>PARLEY_EDGE_FETCH_MAX_WAIT_MS</td><td>100</td><td>the deliveries consumer's fetch.max.wait.ms: longest the
 * broker holds a fetch for fetch.min.bytes</td></tr>
 * </table>
 */
public record KafkaClientConfig(int lingerMs, int fetchMinBytes, int fetchMaxWaitMs) {
    public static final int DEFAULT_LINGER_MS = 1;
    /** The deliveries consumer's fetch.min.bytes and fetch.max.wait.ms (Kafka's defaults: 1 byte, the edge's 100 ms). */
    public static final int DEFAULT_FETCH_MIN_BYTES = 1;
    public static final int DEFAULT_FETCH_MAX_WAIT_MS = 100;

    public KafkaClientConfig {
        if (lingerMs < 0) {
            throw new IllegalArgumentException("PARLEY_EDGE_LINGER_MS must be >= 0");
        }
        if (fetchMinBytes < 0) {
            throw new IllegalArgumentException("PARLEY_EDGE_FETCH_MIN_BYTES must be >= 0");
        }
        if (fetchMaxWaitMs < 0) {
            throw new IllegalArgumentException("PARLEY_EDGE_FETCH_MAX_WAIT_MS must be >= 0");
        }
    }

    public static KafkaClientConfig defaults() {
        return new KafkaClientConfig(DEFAULT_LINGER_MS, DEFAULT_FETCH_MIN_BYTES, DEFAULT_FETCH_MAX_WAIT_MS);
    }
}
