package io.parley.infra.testkit;

import io.parley.contracts.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A record produced to a catalog topic in a fresh namespace comes back with its key, value and headers. */
@ExtendWith(ParleyStackExtension.class)
class KafkaRoundTripIT {

    @Test
    void freshNamespaceHasTheWholeCatalog(TestStack stack) throws Exception {
        String namespace = stack.newTopicNamespace();

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            List<String> names = Arrays.stream(Topic.values()).map(t -> t.nameIn(namespace)).toList();
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS);
            for (Topic topic : Topic.values()) {
                assertThat(described.get(topic.nameIn(namespace)).partitions())
                        .as("partitions of %s", topic.nameIn(namespace))
                        .hasSize(topic.partitions());
            }
            ConfigResource roomEvents = new ConfigResource(ConfigResource.Type.TOPIC, Topic.ROOM_EVENTS.nameIn(namespace));
            Config config = admin.describeConfigs(List.of(roomEvents)).all().get(60, TimeUnit.SECONDS).get(roomEvents);
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
            assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
        }
    }

    @Test
    void producedRecordIsConsumedBackWithKeyValueAndHeaders(TestStack stack) throws Exception {
        String namespace = stack.newTopicNamespace();
        String topic = Topic.ROOM_EVENTS.nameIn(namespace);
        String roomId = TestStack.uniqueName("room-");
        String value = "{\"type\":\"message-posted\",\"roomId\":\"" + roomId + "\",\"body\":\"héllo ☕\"}";
        long timestamp = 1_767_225_600_123L;
        List<Header> headers = List.of(
                new RecordHeader("event-type", "message-posted".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("trace-id", new byte[] {0, 1, 2, (byte) 0xff}));

        RecordMetadata sent;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new StringSerializer())) {
            sent = producer.send(new ProducerRecord<>(topic, null, timestamp, roomId, value, headers))
                    .get(60, TimeUnit.SECONDS);
        }
        assertThat(sent.topic()).isEqualTo(topic);
        assertThat(sent.offset()).as("first record of a fresh namespace").isZero();

        TopicPartition partition = new TopicPartition(topic, sent.partition());
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
            });
            // The namespace is fresh: our record is the only one in its partition.
            assertThat(consumer.endOffsets(List.of(partition))).containsEntry(partition, 1L);
        }

        assertThat(received).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(roomId);
            assertThat(record.value()).isEqualTo(value);
            assertThat(record.offset()).isEqualTo(sent.offset());
            assertThat(record.timestamp()).isEqualTo(timestamp);
            assertThat(record.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
            assertThat(record.headers().toArray()).hasSize(2);
            assertThat(record.headers().lastHeader("event-type").value())
                    .isEqualTo("message-posted".getBytes(StandardCharsets.UTF_8));
            assertThat(record.headers().lastHeader("trace-id").value())
                    .containsExactly(0, 1, 2, 0xff);
        });
    }
}
