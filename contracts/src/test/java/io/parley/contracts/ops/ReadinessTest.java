package io.parley.contracts.ops;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ReadinessTest {

    @Test
    void readyOnlyWhileEveryCheckPassesAndTheProblemsAreNamed() {
        AtomicReference<String> kafka = new AtomicReference<>();
        try (Readiness readiness = new Readiness()
                .add("kafka", kafka::get)
                .add("cassandra", () -> {
                    throw new IllegalStateException("no \"answer\"");
                })) {
            assertThat(readiness.isReady()).as("not checked yet").isFalse();
            readiness.evaluate();
            assertThat(readiness.isReady()).isFalse();
            assertThat(readiness.json()).isEqualTo(
                    "{\"status\":\"NOT_READY\",\"problems\":{\"cassandra\":\"IllegalStateException: no \\\"answer\\\"\"}}");
        }
        try (Readiness readiness = new Readiness().add("kafka", kafka::get)) {
            readiness.evaluate();
            assertThat(readiness.isReady()).isTrue();
            assertThat(readiness.json()).isEqualTo("{\"status\":\"READY\"}");
            kafka.set("no answer within 2000 ms");
            readiness.evaluate();
            assertThat(readiness.isReady()).isFalse();
            assertThat(readiness.json()).contains("\"kafka\":\"no answer within 2000 ms\"");
        }
    }

    @Test
    void theVerdictIsAGauge() {
        try (ProcessMetrics metrics = new ProcessMetrics("test");
             Readiness readiness = new Readiness().add("x", () -> null)) {
            readiness.bindTo(metrics.registry());
            assertThat(metrics.scrape()).contains("parley_ready{process=\"test\"} 0.0");
            readiness.evaluate();
            assertThat(metrics.scrape()).contains("parley_ready{process=\"test\"} 1.0")
                    .contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void consumerLagIsTheWorstRecordsLagMax() {
        var metrics = new java.util.HashMap<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric>();
        assertThat(ConsumerLag.max(metrics)).isEqualTo(-1);
        metrics.put(name("records-lag-max", "consumer-fetch-manager-metrics"), metric(12));
        metrics.put(name("records-lag-max", "other-group"), metric(99));
        metrics.put(name("records-lag-avg", "consumer-fetch-manager-metrics"), metric(50));
        metrics.put(new org.apache.kafka.common.MetricName("records-lag-max", "consumer-fetch-manager-metrics", "",
                java.util.Map.of("client-id", "b")), metric(Double.NaN));
        assertThat(ConsumerLag.max(metrics)).isEqualTo(12);
    }

    private static org.apache.kafka.common.MetricName name(String name, String group) {
        return new org.apache.kafka.common.MetricName(name, group, "", java.util.Map.of("client-id", "a"));
    }

    private static org.apache.kafka.common.Metric metric(double value) {
        return new org.apache.kafka.common.Metric() {
            @Override
            public org.apache.kafka.common.MetricName metricName() {
                return null;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        };
    }
}
