// Owns how the history store's integration tests write to Kafka: every send is checked, a refused
// record fails the test with its cause instead of showing up later as a short log.
package io.parley.history;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A producer whose sends are all accounted for: {@link #flush()} (and {@link #close()}) waits for
 * every record sent so far and throws if any was refused, or if fewer were acknowledged than sent.
 * Tests used to ignore the send futures, and a record the broker dropped (KAFKA-15591) surfaced only
 * as a log shorter than expected.
 */
public final class CheckedProducer<K, V> implements AutoCloseable {
    private final KafkaProducer<K, V> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();

    /** A producer to {@code bootstrap} with {@code acks=all} unless {@code settings} says otherwise. */
    public CheckedProducer(String bootstrap, Map<String, Object> settings, Serializer<K> keys, Serializer<V> values) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"));
        config.putAll(settings);
        this.producer = new KafkaProducer<>(config, keys, values);
    }

    public CheckedProducer(String bootstrap, Serializer<K> keys, Serializer<V> values) {
        this(bootstrap, Map.of(), keys, values);
    }

    /** Sends {@code record}; a refusal is reported by the next {@link #flush()}. */
    public void send(ProducerRecord<K, V> record) {
        sent.incrementAndGet();
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, new IllegalStateException("Kafka refused a record for " + record.topic()
                        + " (key " + record.key() + "): " + e, e));
            } else {
                acknowledged.incrementAndGet();
            }
        });
    }

    /** Waits for every record sent so far; throws with the first refusal's cause if one was refused. */
    public void flush() {
        producer.flush();
        Exception refused = failure.get();
        if (refused != null) {
            throw new AssertionError(refused.getMessage(), refused);
        }
        if (acknowledged.get() != sent.get()) {
            throw new AssertionError("Kafka acknowledged " + acknowledged.get() + " of " + sent.get() + " records sent");
        }
    }

    /** {@link #flush()}, then closes the producer (also when the flush throws). */
    @Override
    public void close() {
        try {
            flush();
        } finally {
            producer.close();
        }
    }
}
