package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.json.Serdes;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;

/** A message's whole path: socket, Kafka, processors, the edge nodes that own the recipients. */
@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class MessagingIT {

    @Test
    void aMessageReachesTheRoomOnTheOtherEdgeNodeAndNobodyElse(ParleyCluster parley) {
        String r = TestStack.uniqueName("room-r");
        String s = TestStack.uniqueName("room-s");
        try (WsClient a = parley.connect(TestStack.uniqueName("a"), 1);
             WsClient b = parley.connect(TestStack.uniqueName("b"), 2);
             WsClient c = parley.connect(TestStack.uniqueName("c"), 2)) {
            assertOk(a.request("join-room", data("roomId", r)));
            assertOk(b.request("join-room", data("roomId", r)));
            assertOk(c.request("join-room", data("roomId", s)));

            JsonNode ack = a.request("send-message", data("roomId", r, "content", "hello", "clientMsgId", "m1"));
            assertOk(ack);
            String messageId = ack.path("data").path("id").asText();
            long seq = ack.path("data").path("seq").asLong();
            assertThat(messageId).isNotBlank();
            assertThat(seq).isPositive();

            JsonNode received = b.nextEvent(e -> e.path("event").asText().equals("new-message"));
            assertThat(received.path("data").path("roomId").asText()).isEqualTo(r);
            assertThat(received.path("data").path("id").asText()).isEqualTo(messageId);
            assertThat(received.path("data").path("seq").asLong()).isEqualTo(seq);
            assertThat(received.path("data").path("content").asText()).isEqualTo("hello");
            assertThat(received.path("data").path("user").path("id").asText()).isEqualTo(a.name.substring(0, a.name.indexOf('@')));

            // C is on B's node but in another room: the next thing C sees is its own room's message.
            assertOk(c.request("send-message", data("roomId", s, "content", "sentinel")));
            JsonNode first = c.nextEvent(e -> e.path("event").asText().equals("new-message"));
            assertThat(first.path("data").path("roomId").asText()).isEqualTo(s);
            assertThat(first.path("data").path("content").asText()).isEqualTo("sentinel");
        }
    }

    @Test
    void aThousandMessagesFromManySendersReachEveryMemberOnceInOrderWithOneDeliveryPerNode(ParleyCluster parley) {
        String room = TestStack.uniqueName("busy");
        int senders = 20;
        int perSender = 50; // below the rate limit's burst
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < senders; i++) {
                clients.add(parley.connect(TestStack.uniqueName("u" + i + "-"), 1 + i % 2));
            }
            for (WsClient client : clients) {
                assertOk(client.request("join-room", data("roomId", room)));
            }
            List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
            for (int m = 0; m < perSender; m++) {
                for (int i = 0; i < senders; i++) {
                    acks.add(clients.get(i).requestAsync("send-message",
                            data("roomId", room, "content", "m" + m + " from " + i, "clientMsgId", i + "-" + m)));
                }
            }
            Set<String> ackedIds = new HashSet<>();
            Set<Long> ackedSeqs = new HashSet<>();
            for (CompletableFuture<JsonNode> future : acks) {
                JsonNode ack = future.orTimeout(WsClient.PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
                assertOk(ack);
                ackedIds.add(ack.path("data").path("id").asText());
                ackedSeqs.add(ack.path("data").path("seq").asLong());
            }
            int total = senders * perSender;
            assertThat(ackedIds).hasSize(total);
            assertThat(ackedSeqs).hasSize(total);
            long firstSeq = ackedSeqs.stream().mapToLong(Long::longValue).min().orElseThrow();
            assertThat(ackedSeqs).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, total).mapToObj(k -> firstSeq + k).toList());

            for (WsClient member : clients) {
                List<Long> seqs = new ArrayList<>();
                Set<String> ids = new HashSet<>();
                while (seqs.size() < total) {
                    JsonNode event = member.nextEvent(e -> e.path("event").asText().equals("new-message"));
                    seqs.add(event.path("data").path("seq").asLong());
                    ids.add(event.path("data").path("id").asText());
                }
                assertThat(seqs).as(member.name + " receives every seq once, in order, without a gap")
                        .containsExactlyElementsOf(IntStream.range(0, total).mapToObj(k -> firstSeq + k).toList());
                assertThat(ids).isEqualTo(ackedIds);
            }

            // One delivery record per message per edge node holding members (both nodes here).
            Map<Long, Map<String, Integer>> perSeq = toRoomDeliveries(parley, room, firstSeq + total - 1);
            for (long seq = firstSeq; seq < firstSeq + total; seq++) {
                assertThat(perSeq.get(seq)).as("deliveries of seq " + seq).isEqualTo(Map.of("edge-1", 1, "edge-2", 1));
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void aRoomOnOneNodeCostsOneDeliveryPerMessage(ParleyCluster parley) {
        String room = TestStack.uniqueName("solo");
        try (WsClient x = parley.connect(TestStack.uniqueName("x"), 2);
             WsClient y = parley.connect(TestStack.uniqueName("y"), 2)) {
            assertOk(x.request("join-room", data("roomId", room)));
            assertOk(y.request("join-room", data("roomId", room)));
            long seq = x.request("send-message", data("roomId", room, "content", "just edge-2")).path("data").path("seq").asLong();
            y.nextEvent(e -> e.path("data").path("seq").asLong() == seq);
            assertThat(toRoomDeliveries(parley, room, seq).get(seq)).isEqualTo(Map.of("edge-2", 1));
        }
    }

    /** Reads the deliveries topic from the start and counts ToRoom records of {@code room}, by seq and node. */
    static Map<Long, Map<String, Integer>> toRoomDeliveries(ParleyCluster parley, String room, long upToSeq) {
        Map<Long, Map<String, Integer>> perSeq = new HashMap<>();
        String topic = Topic.DELIVERIES.nameIn(parley.topicNamespace);
        try (KafkaConsumer<String, Delivery> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, parley.stack.kafkaBootstrap(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), Serdes.delivery().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WsClient.PATIENCE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Delivery> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value().body() instanceof Delivery.ToRoom toRoom && toRoom.roomId().equals(room)
                            && toRoom.event().equals("new-message") && toRoom.seq() <= upToSeq) {
                        perSeq.computeIfAbsent(toRoom.seq(), k -> new HashMap<>())
                                .merge(record.value().edgeNodeId(), 1, Integer::sum);
                    }
                }
            }
        }
        return perSeq;
    }

    static void assertOk(JsonNode reply) {
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isTrue();
    }

}
