// Integration test of the writer against the real Kafka with a sink that fails on demand:
// nothing is committed while storage fails, everything is stored and committed once it recovers.
package io.parley.history.writer;

import io.parley.contracts.Topic;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Serdes;
import io.parley.history.CheckedProducer;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class RoomEventWriterIT {

    @Test
    void failingStorageIsRetriedAndNothingIsCommittedUntilItSucceeds(TestStack stack) throws Exception {
        String topic = Topic.ROOM_EVENTS.nameIn(stack.newTopicNamespace());
        String groupId = TestStack.uniqueName("writer");
        String room = TestStack.uniqueName("room-");
        try (CheckedProducer<String, RoomEvent> producer = new CheckedProducer<>(stack.kafkaBootstrap(),
                new StringSerializer(), Serdes.roomEvent().serializer())) {
            for (long seq = 1; seq <= 20; seq++) {
                producer.send(new ProducerRecord<>(topic, room, new RoomEvent("e" + seq, room, seq, "u", seq,
                        new RoomEvent.MessageSent("e" + seq, null, "t" + seq, null))));
            }
        }

        AtomicBoolean storageDown = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        Set<Long> stored = ConcurrentHashMap.newKeySet();
        EventSink sink = events -> {
            attempts.incrementAndGet();
            if (storageDown.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("Cassandra is down (simulated)"));
            }
            events.forEach(e -> stored.add(e.seq()));
            return CompletableFuture.completedFuture(null);
        };

        try (RoomEventWriter writer = RoomEventWriter.start(
                new RoomEventWriter.Settings(stack.kafkaBootstrap(), topic, groupId, "test-writer"), sink);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> attempts.get() >= 4);
            assertThat(writer.isRunning()).as("the writer does not give up").isTrue();
            assertThat(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS))
                    .as("nothing committed while storage fails").isEmpty();

            storageDown.set(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(o -> o.offset()).sum() == 20);
            assertThat(stored).isEqualTo(LongStream.rangeClosed(1, 20).boxed().collect(Collectors.toSet()));
            assertThat(writer.isRunning()).isTrue();
        }
    }
}
