// Integration test of the replay-to-topic command against the real Kafka: the target topic gets
// exactly the selected records of room-events (a room, a time range, both, everything), each with
// its key, value and timestamp, in the log's order per partition.
package io.parley.history.replay;

import io.parley.contracts.Topic;
import io.parley.history.CheckedProducer;
import io.parley.history.LogReader;
import io.parley.history.LogReader.Logged;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ParleyStackExtension.class)
class TopicReplayIT {
    private static final long BASE = 1_767_225_600_000L;

    /** What the target must hold for a selection: the source's records, in order, as partition/key/value/timestamp. */
    private static List<String> view(List<Logged> records, Predicate<Logged> keep) {
        return records.stream().filter(keep)
                .map(r -> r.partition() + "|" + r.key() + "|" + r.timestamp() + "|" + r.value()).toList();
    }

    private static TopicReplay.Result replay(TestStack stack, String source, String target, String room, Instant from,
                                             Instant to, double rate) throws InterruptedException {
        return new TopicReplay(new TopicReplay.Settings(stack.kafkaBootstrap(), source, target, room, from, to, rate,
                Duration.ofSeconds(1)), System.out).run();
    }

    @Test
    void theTargetTopicGetsExactlyTheSelectedEventsInOrder(TestStack stack) throws Exception {
        String namespace = stack.newTopicNamespace();
        String source = Topic.ROOM_EVENTS.nameIn(namespace);
        List<String> rooms = List.of(TestStack.uniqueName("room-"), TestStack.uniqueName("room-"), TestStack.uniqueName("room-"));
        try (CheckedProducer<String, byte[]> producer = new CheckedProducer<>(stack.kafkaBootstrap(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int seq = 1; seq <= 60; seq++) {
                for (int r = 0; r < rooms.size(); r++) {
                    String room = rooms.get(r);
                    // A second per seq; every 9th record of a room stamped by a clock 20 s behind.
                    long at = BASE + seq * 1_000L + r * 10 - (seq % 9 == 0 ? 20_000 : 0);
                    String value = "{\"eventId\":\"e" + seq + "\",\"roomId\":\"" + room + "\",\"seq\":" + seq
                            + ",\"userId\":\"u\",\"timestamp\":" + at + ",\"body\":{\"type\":\""
                            + (seq % 5 == 0 ? "room-updated" : "message-sent") + "\",\"content\":\"hi " + seq + "\"}}";
                    producer.send(new ProducerRecord<>(source, null, at, room, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
        } // closing flushes and checks every send: a refused record fails here with its cause, not as a short log below
        List<Logged> log = LogReader.readAll(stack.kafkaBootstrap(), source);
        assertThat(log).hasSize(180);

        // One room, all of its time.
        String oneRoom = TestStack.uniqueName("analytics-room-");
        TopicReplay.Result result = replay(stack, source, oneRoom, rooms.get(1), null, null, 0);
        assertThat(result.copied()).isEqualTo(60);
        assertThat(view(LogReader.readAll(stack.kafkaBootstrap(), oneRoom), r -> true))
                .isEqualTo(view(log, r -> r.key().equals(rooms.get(1))));

        // A time range over every room, at a controlled rate (printed, not asserted).
        Instant from = Instant.ofEpochMilli(BASE + 15_000);
        Instant to = Instant.ofEpochMilli(BASE + 40_000);
        Predicate<Logged> inRange = r -> r.timestamp() >= from.toEpochMilli() && r.timestamp() < to.toEpochMilli();
        String range = TestStack.uniqueName("analytics-range-");
        result = replay(stack, source, range, null, from, to, 200);
        List<String> expected = view(log, inRange);
        assertThat(expected).hasSizeBetween(60, 90);
        assertThat(result.copied()).isEqualTo(expected.size());
        assertThat(view(LogReader.readAll(stack.kafkaBootstrap(), range), r -> true)).isEqualTo(expected);

        // A room and a time range together.
        String both = TestStack.uniqueName("analytics-both-");
        replay(stack, source, both, rooms.get(2), from, to, 0);
        assertThat(view(LogReader.readAll(stack.kafkaBootstrap(), both), r -> true))
                .isEqualTo(view(log, inRange.and(r -> r.key().equals(rooms.get(2)))));

        // Everything.
        String all = TestStack.uniqueName("analytics-all-");
        replay(stack, source, all, null, null, null, 0);
        assertThat(view(LogReader.readAll(stack.kafkaBootstrap(), all), r -> true)).isEqualTo(view(log, r -> true));
    }
}
