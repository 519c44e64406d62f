/*
 * KafkaTopics owns the startup check of the topics this node uses: they must exist (created by the
 * stack or the deployment, never by this node) with the catalog's partition counts, and the
 * deliveries topic must have a partition for this node's slot. Checked with the Admin client
 * before any producer touches them, so a broker with auto.create.topics.enable cannot create them
 * wrongly.
 */
package io.parley.edge;

import io.parley.contracts.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

final class KafkaTopics {
    private static final List<Topic> USED = List.of(Topic.ROOM_COMMANDS, Topic.USER_EVENTS, Topic.DELIVERIES, Topic.EDGE_NODES);

    private KafkaTopics() {}

    /** Waits until every topic exists; throws IllegalStateException with the reason after {@code timeout}. */
    static void await(EdgeConfig config, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                AdminClientConfig.CLIENT_ID_CONFIG, config.nodeId() + "-admin"))) {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, TopicDescription> found = admin.describeTopics(USED.stream().map(config::topic).toList())
                            .allTopicNames().get(5, TimeUnit.SECONDS);
                    int deliveries = found.get(config.topic(Topic.DELIVERIES)).partitions().size();
                    if (deliveries <= config.slot()) {
                        throw new IllegalStateException("topic " + config.topic(Topic.DELIVERIES) + " has " + deliveries
                                + " partitions: no partition for PARLEY_EDGE_SLOT=" + config.slot());
                    }
                    return;
                } catch (ExecutionException e) {
                    last = e.getCause() == null ? e.toString() : e.getCause().getMessage();
                } catch (java.util.concurrent.TimeoutException e) {
                    last = "Kafka at " + config.kafkaBootstrap() + " did not answer";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while checking topics", e);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while checking topics", e);
                }
            }
        }
        throw new IllegalStateException("Kafka topics not ready after " + timeout.toSeconds() + " s: " + last);
    }
}
