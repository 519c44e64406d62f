/*
 * TopicsOpen owns the wait after creating topics: until every partition answers ListOffsets from
 * its leader. A producer writing to a partition the broker has not opened yet gets
 * NOT_LEADER_OR_FOLLOWER for its first request while a later one of the same idempotent producer
 * may already be appended; the first batch is then retried with OUT_OF_ORDER_SEQUENCE until its
 * delivery timeout and its records are lost (KAFKA-15591, in Kafka 4.3.1). Used by the launcher's
 * topic creation and the replay command's target topic.
 */
package io.parley.contracts.ops;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

public final class TopicsOpen {
    private static final long RETRY_PAUSE_MS = 100;

    private TopicsOpen() {}

    /**
     * Returns once every partition of {@code topics} answers ListOffsets from its leader; throws
     * {@link IllegalStateException} with the last failure when that takes longer than {@code timeout}.
     */
    public static void await(Admin admin, Collection<String> topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
                        description.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException("the partitions of " + topics + " did not open within " + timeout + ": " + e, e);
                }
                Thread.sleep(RETRY_PAUSE_MS); // a retry pause of a poll with a deadline, not a synchronisation
            }
        }
    }
}
