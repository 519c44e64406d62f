/*
 * ConsumerLag owns reading a Kafka consumer's lag from the client's own metrics (records-lag-max
 * of consumer-fetch-manager-metrics: the largest lag of any assigned partition over the metrics
 * window), for readiness bounds; Prometheus gets the same figures through KafkaClientMetrics.
 */
package io.parley.contracts.ops;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;

public final class ConsumerLag {
    private ConsumerLag() {}

    /** The largest records-lag-max among the given metrics (several consumers: the worst); -1 if none known yet. */
    public static long max(Map<MetricName, ? extends Metric> metrics) {
        double worst = -1;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if ("records-lag-max".equals(name.name()) && "consumer-fetch-manager-metrics".equals(name.group())) {
                Object value = e.getValue().metricValue();
                if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
                    worst = Math.max(worst, n.doubleValue());
                }
            }
        }
        return (long) worst;
    }
}
