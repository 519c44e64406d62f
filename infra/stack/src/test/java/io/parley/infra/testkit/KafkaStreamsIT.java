package io.parley.infra.testkit;

import io.parley.contracts.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kafka Streams application on the processor API: records are buffered in a persistent
 * (RocksDB) key-value store, and a wall-clock punctuator emits the buffered entries to an output
 * topic and expires them from the store. Output can only appear if both the store and the
 * punctuator worked, since {@code process} itself forwards nothing.
 */
@ExtendWith(ParleyStackExtension.class)
class KafkaStreamsIT {
    private static final String STORE = "pending-deliveries";
    private static final String FLUSHED = "flushed:";

    /** Buffers every record in the store; a punctuator flushes and deletes what is buffered. */
    static final class BufferThenFlush implements Processor<String, String, String, String> {
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<String, String> context) {
            store = context.getStateStore(STORE);
            context.schedule(Duration.ofMillis(200), PunctuationType.WALL_CLOCK_TIME, now -> {
                List<KeyValue<String, String>> due = new ArrayList<>();
                try (KeyValueIterator<String, String> entries = store.all()) {
                    entries.forEachRemaining(due::add);
                }
                for (KeyValue<String, String> entry : due) {
                    context.forward(new Record<>(entry.key, FLUSHED + entry.value, now));
                    store.delete(entry.key);
                }
            });
        }

        @Override
        public void process(Record<String, String> record) {
            store.put(record.key(), record.value());
        }
    }

    @Test
    void punctuatorFlushesAPersistentStore(TestStack stack, @TempDir Path stateDir) throws Exception {
        String namespace = stack.newTopicNamespace();
        String input = Topic.ROOM_COMMANDS.nameIn(namespace);
        String output = Topic.DELIVERIES.nameIn(namespace);
        String applicationId = TestStack.uniqueName("streams-it-");

        StoreBuilder<KeyValueStore<String, String>> storeBuilder = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.String());
        assertThat(storeBuilder.build().persistent()).isTrue();

        Topology topology = new Topology()
                .addSource("commands", new StringDeserializer(), new StringDeserializer(), input)
                .addProcessor("buffer", BufferThenFlush::new, "commands")
                .addStateStore(storeBuilder, "buffer")
                .addSink("deliveries", output, new StringSerializer(), new StringSerializer(), "buffer");

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        AtomicReference<Throwable> streamsError = new AtomicReference<>();
        KafkaStreams streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(e -> {
            streamsError.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        try (KafkaProducer<String, String> producer = producer(stack);
             KafkaConsumer<String, String> consumer = consumer(stack)) {
            streams.start();
            await("Kafka Streams RUNNING").atMost(Duration.ofMinutes(2))
                    .failFast("Kafka Streams failed", () -> streamsError.get() != null
                            || streams.state() == KafkaStreams.State.ERROR)
                    .until(() -> streams.state() == KafkaStreams.State.RUNNING);

            List<TopicPartition> outputPartitions = consumer.partitionsFor(output).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(outputPartitions);
            consumer.seekToBeginning(outputPartitions);

            Map<String, List<String>> received = new LinkedHashMap<>();
            Map<String, String> firstBatch = send(producer, input, "room-a", "room-b", "room-c");
            awaitOutput(consumer, received, firstBatch, streamsError);

            // The punctuator runs again and again: a second batch is flushed as well.
            Map<String, String> secondBatch = send(producer, input, "room-d", "room-e");
            awaitOutput(consumer, received, secondBatch, streamsError);

            // Each buffered entry was emitted once, then expired from the store.
            assertThat(received).allSatisfy((key, values) -> assertThat(values).as("emissions of %s", key).hasSize(1));
            ReadOnlyKeyValueStore<String, String> view = streams.store(
                    StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
            await("store emptied by the punctuator").atMost(Duration.ofSeconds(60)).until(() -> {
                try (KeyValueIterator<String, String> all = view.all()) {
                    return !all.hasNext();
                }
            });

            // The store is RocksDB on disk: <state.dir>/<application.id>/<task>/rocksdb/<store>/CURRENT.
            assertThat(rocksDbStoreDirs(stateDir.resolve(applicationId)))
                    .isNotEmpty()
                    .allSatisfy(dir -> assertThat(dir.resolve("CURRENT")).isRegularFile());
        } finally {
            streams.close(Duration.ofSeconds(60));
        }
        assertThat(streamsError.get()).isNull();
    }

    private static Map<String, String> send(KafkaProducer<String, String> producer, String topic, String... keys)
            throws Exception {
        Map<String, String> sent = new LinkedHashMap<>();
        for (String key : keys) {
            String value = TestStack.uniqueName("msg-");
            producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
            sent.put(key, value);
        }
        return sent;
    }

    private static void awaitOutput(KafkaConsumer<String, String> consumer, Map<String, List<String>> received,
                                    Map<String, String> expected, AtomicReference<Throwable> streamsError) {
        await("punctuator output").atMost(Duration.ofSeconds(90)).pollInSameThread()
                .failFast("Kafka Streams failed", () -> streamsError.get() != null)
                .untilAsserted(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r ->
                            received.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
                    expected.forEach((key, value) ->
                            assertThat(received).containsEntry(key, List.of(FLUSHED + value)));
                });
    }

    private static List<Path> rocksDbStoreDirs(Path appStateDir) throws IOException {
        try (Stream<Path> paths = Files.walk(appStateDir)) {
            return paths.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().equals(STORE)
                            && p.getParent().getFileName().toString().equals("rocksdb"))
                    .toList();
        }
    }

    private static KafkaProducer<String, String> producer(TestStack stack) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(TestStack stack) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
    }
}
