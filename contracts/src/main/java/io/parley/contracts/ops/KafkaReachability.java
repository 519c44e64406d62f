/*
 * KafkaReachability owns the readiness check "does Kafka answer": an Admin client asking for the
 * cluster's nodes with a short timeout. Cheap (one metadata round trip per check), and it fails
 * as soon as the broker is gone, while producers and consumers only retry quietly.
 */
package io.parley.contracts.ops;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link Readiness.Check}; close it with the process. */
public final class KafkaReachability implements Readiness.Check, AutoCloseable {
    private final Admin admin;
    private final long timeoutMs;

    public KafkaReachability(String bootstrap, String clientId, Duration timeout) {
        this.timeoutMs = timeout.toMillis();
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs,
                // Re-resolve quickly after the broker returns.
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000));
    }

    @Override
    public String problem() throws Exception {
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
                    .nodes().get(timeoutMs + 500, TimeUnit.MILLISECONDS).size();
            return nodes > 0 ? null : "no broker";
        } catch (TimeoutException e) {
            return "no answer within " + timeoutMs + " ms";
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return cause.getClass().getSimpleName();
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
