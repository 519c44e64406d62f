/*
 * RoomStateReplayIT owns the real-Kafka proof of the Done-when "after replaying room-events into
 * empty state, rooms, members and roles are identical" for the processors' own state: the room
 * stage runs as a Kafka Streams application on the test stack's broker; after a run of commands
 * over every rooms-as-objects rule, (1) the room-events on the topic, folded into empty state,
 * equal the live room-state store (interactive query); (2) a second application with a fresh
 * application id and an empty state directory, replaying room-commands from the start, ends with
 * the same state; (3) the first application's id on an empty state directory restores the same
 * state from its changelog. Design: docs/architecture.md "Rooms as objects".
 */
package io.parley.processors.room;

import io.parley.contracts.Topic;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Serdes;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import io.parley.processors.Main;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.Stores;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class RoomStateReplayIT {
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @TempDir
    Path dirs;

    private static KafkaStreams start(TestStack stack, String namespace, String applicationId, Path stateDir) {
        ProcessorsConfig config = ProcessorsConfig.from(Map.of(
                "PARLEY_KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
                "PARLEY_TOPIC_NAMESPACE", namespace,
                "PARLEY_PROCESSORS_APP_ID", applicationId,
                "PARLEY_STATE_DIR", stateDir.toString(),
                "PARLEY_PROCESSORS_COMMIT_INTERVAL_MS", "200"));
        StreamsBuilder builder = new StreamsBuilder();
        new RoomTopology(config).build(builder);
        Properties props = Main.streamsProperties(config);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        await().atMost(PATIENCE).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    /** The rooms-as-objects view of a running application's room-state store (every partition). */
    private static Map<String, Object> view(KafkaStreams streams) {
        ReadOnlyKeyValueStore<String, RoomEntry> store = streams.store(StoreQueryParameters.fromNameAndType(
                Stores.ROOM_STATE, QueryableStoreTypes.<String, RoomEntry>keyValueStore()));
        return RoomEventsFold.of(store);
    }

    /**
     * Every record of the room-events topic, from the start, in per-room log order: read (all
     * partitions assigned, no group to join) until at least {@code atLeast} distinct events are
     * there, then on to three empty polls in a row, so that an extra event behind them shows too.
     * The quiet period alone used to decide the end, and a slow first fetch ended it early.
     */
    private static List<RoomEvent> roomEvents(TestStack stack, String topic, int atLeast) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<RoomEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, RoomEvent> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                Serdes.roomEvent().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(PATIENCE).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> events.add(record.value()));
                return events.stream().distinct().count() >= atLeast;
            });
            long idle = 0;
            while (idle < 3) { // three empty polls in a row after the last record: the end
                var records = consumer.poll(Duration.ofMillis(500));
                idle = records.isEmpty() ? idle + 1 : 0;
                for (ConsumerRecord<String, RoomEvent> record : records) {
                    events.add(record.value());
                }
            }
        }
        // One partition per room keeps each room's order; sort by (room, seq) to compare runs. A
        // replay may repeat records (at-least-once): identical, so keep one of each.
        return events.stream().distinct().sorted(Comparator.comparing(RoomEvent::roomId).thenComparingLong(RoomEvent::seq)).toList();
    }

    @Test
    void roomStateReplayedFromTheLogIntoEmptyStateIsIdentical(TestStack stack) throws Exception {
        String namespace = stack.newTopicNamespace();
        String applicationId = TestStack.uniqueName("replay-a");
        List<RoomCommand> commands = RoomStateReplayTest.scenario(System.currentTimeMillis());
        // What the room stage must emit for these commands (the same stage in a TopologyTestDriver).
        RoomStateReplayTest.Run expected = RoomStateReplayTest.run(dirs.resolve("driver"), commands);
        List<RoomEvent> expectedEvents = expected.events().stream()
                .sorted(Comparator.comparing(RoomEvent::roomId).thenComparingLong(RoomEvent::seq)).toList();
        ProcessorsConfig names = ProcessorsConfig.from(Map.of("PARLEY_TOPIC_NAMESPACE", namespace));

        Map<String, Object> live;
        try (KafkaStreams first = start(stack, namespace, applicationId, dirs.resolve("a"))) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
            try (KafkaProducer<String, RoomCommand> producer = new KafkaProducer<>(props, new StringSerializer(),
                    Serdes.roomCommand().serializer())) {
                for (RoomCommand command : commands) {
                    producer.send(new ProducerRecord<>(names.topic(Topic.ROOM_COMMANDS), command.roomId(), command)).get();
                }
            }
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(view(first)).isEqualTo(expected.state()));
            live = view(first);
            List<RoomEvent> logged = roomEvents(stack, names.topic(Topic.ROOM_EVENTS), expectedEvents.size());
            assertThat(logged).isEqualTo(expectedEvents);
            // (1) The public log alone, folded into empty state: the live store's rooms, members, roles.
            assertThat(RoomEventsFold.fold(logged)).isEqualTo(live);
            first.close(Duration.ofSeconds(30));
        }

        // (2) A second application, fresh id and empty state, replaying room-commands from the start.
        try (KafkaStreams second = start(stack, namespace, TestStack.uniqueName("replay-b"), dirs.resolve("b"))) {
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(view(second)).isEqualTo(live));
            second.close(Duration.ofSeconds(30));
        }
        // It re-emitted the same events (duplicates of the same records, nothing new).
        assertThat(roomEvents(stack, names.topic(Topic.ROOM_EVENTS), expectedEvents.size())).isEqualTo(expectedEvents);

        // (3) The first application's id on an empty state directory: restored from its changelog.
        try (KafkaStreams restored = start(stack, namespace, applicationId, dirs.resolve("a2"))) {
            assertThat(view(restored)).isEqualTo(live);
            restored.close(Duration.ofSeconds(30));
        }
    }
}
