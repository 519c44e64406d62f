/*
 * ProcessMetrics owns what every Parley process shares about metrics: one Micrometer Prometheus
 * registry per process (common tag {@code process}), the JVM, GC, thread, CPU and uptime binders,
 * and the Prometheus text exposition served at GET /metrics. Module metrics (EdgeMetrics, ...)
 * register on the registry it holds; Kafka clients are bridged with micrometer's own binders.
 */
package io.parley.contracts.ops;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** One per process; thread-safe. */
public final class ProcessMetrics implements AutoCloseable {
    /** The Content-Type of {@link #scrape()}: Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /**
     * How often the Kafka binders look for new client metrics (per-partition lag appears only after
     * an assignment); Micrometer's default is 60 s.
     */
    public static final Duration KAFKA_REFRESH = Duration.ofSeconds(10);

    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ScheduledExecutorService kafkaScheduler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("parley-metrics-kafka").daemon(true).unstarted(r));

    /** {@code process}: edge, processors or history (the tag every series carries). */
    public ProcessMetrics(String process) {
        registry.config().commonTags("process", process);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** A Kafka consumer's own metrics (lag per partition, fetch rates...) as {@code kafka_consumer_*}. */
    public void bindKafka(Consumer<?, ?> consumer) {
        new KafkaClientMetrics(consumer, Tags.empty(), kafkaScheduler, KAFKA_REFRESH).bindTo(registry);
    }

    /** A Kafka producer's own metrics (send rates, errors, request latency) as {@code kafka_producer_*}. */
    public void bindKafka(Producer<?, ?> producer) {
        new KafkaClientMetrics(producer, Tags.empty(), kafkaScheduler, KAFKA_REFRESH).bindTo(registry);
    }

    /** The scheduler of the Kafka binders (the processors bind KafkaStreamsMetrics with it). */
    public ScheduledExecutorService kafkaScheduler() {
        return kafkaScheduler;
    }

    /** Every meter in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        kafkaScheduler.shutdownNow();
        gc.close();
        registry.close();
    }
}
