/*
 * Main owns the edge node's process: read EdgeConfig from the environment, wire the Kafka
 * publisher, the EdgeNode and the deliveries consumer by hand, print the one startup line the
 * launcher reads the port from, and stop everything in order on SIGTERM. With PARLEY_REDIS_URL set,
 * get-online-users reads the processors' presence view there.
 */
package io.parley.edge;

import io.parley.contracts.Topic;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.ops.KafkaReachability;
import io.parley.contracts.ops.Readiness;
import io.parley.edge.delivery.DeliveriesConsumer;
import io.parley.edge.metrics.OpsConfig;
import io.parley.edge.presence.RedisPresenceReader;
import io.parley.edge.publish.KafkaCommandPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Duration KAFKA_START_TIMEOUT = Duration.ofSeconds(60);
    /** Kafka clients log their whole configuration at INFO; keep the node's log to lifecycle lines. Held strongly (JUL). */
    private static final java.util.logging.Logger KAFKA_LOG = java.util.logging.Logger.getLogger("org.apache.kafka");

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (System.getProperty("java.util.logging.config.file") == null) {
            KAFKA_LOG.setLevel(java.util.logging.Level.WARNING);
        }
        EdgeConfig config;
        OpsConfig ops;
        try {
            config = EdgeConfig.fromEnv(System.getenv());
            ops = OpsConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("parley-edge: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        TokenVerifier verifier;
        try {
            verifier = new TokenVerifier(config.auth());
        } catch (RuntimeException e) {
            System.err.println("parley-edge: cannot load the token keys: " + e.getMessage());
            System.exit(2);
            return;
        }

        KafkaCommandPublisher publisher = new KafkaCommandPublisher(config.kafkaBootstrap(), config.topicNamespace(),
                config.nodeId(), config.kafka().lingerMs());
        EdgeNode node = new EdgeNode(config, verifier, publisher, ops);
        publisher.bindMetrics(node.metrics());
        // The presence read view (get-online-users): the Redis the processors write, if any.
        String redisUrl = System.getenv("PARLEY_REDIS_URL");
        RedisPresenceReader presence = redisUrl == null || redisUrl.isBlank() ? null
                : new RedisPresenceReader(redisUrl.strip(), config.topicNamespace());
        if (presence != null) {
            node.commands().usePresenceReader(presence);
        }
        // Socket.IO connection-state recovery keeps resumable sessions in the same Redis.
        io.parley.edge.socketio.RedisSioSessions sioSessions = redisUrl == null || redisUrl.isBlank() ? null
                : new io.parley.edge.socketio.RedisSioSessions(redisUrl.strip(), config.topicNamespace());
        if (sioSessions != null) {
            node.useSioSessions(sioSessions);
        }
        DeliveriesConsumer consumer = new DeliveriesConsumer(config.kafkaBootstrap(), config.topic(Topic.DELIVERIES),
                config.slot(), config.nodeId(), node.deliveries(), config.kafka().fetchMinBytes(), config.kafka().fetchMaxWaitMs()).onFailure(node::deliveriesFailed);
        consumer.bindMetrics(node.metrics());
        // /ready: Kafka answers, Redis answers (when used), the deliveries consumer keeps up.
        KafkaReachability kafka = new KafkaReachability(config.kafkaBootstrap(), config.nodeId(), Duration.ofSeconds(2));
        Readiness readiness = new Readiness().add("kafka", kafka)
                .add("deliveries-lag", () -> consumer.lag() > ops.readyMaxLag()
                        ? "deliveries consumer " + consumer.lag() + " records behind (bound " + ops.readyMaxLag() + ")" : null);
        if (presence != null) {
            readiness.add("redis", () -> presence.problem(1_000));
        }
        node.useReadiness(readiness);
        try {
            KafkaTopics.await(config, KAFKA_START_TIMEOUT);
            publisher.awaitTopics(KAFKA_START_TIMEOUT);
            consumer.start(KAFKA_START_TIMEOUT);
            node.start(consumer::isRunning);
            readiness.start(ops.readyCheckMs());
        } catch (RuntimeException e) {
            LOG.error("parley-edge {} failed to start", config.nodeId(), e);
            System.err.println("parley-edge: failed to start: " + e.getMessage());
            node.stop();
            consumer.stop(1_000);
            publisher.close(1_000);
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("parley-edge-stop").unstarted(() -> {
            node.stop();
            consumer.stop(2_000);
            publisher.close(5_000);
            if (presence != null) {
                presence.close();
            }
            if (sioSessions != null) {
                sioSessions.close();
            }
            kafka.close();
            node.metrics().close();
            System.out.println("parley-edge " + config.nodeId() + " stopped");
            stopped.countDown();
        }));
        System.out.println("parley-edge " + config.nodeId() + " listening on port " + node.port());
        LOG.info("edge node {} (slot {}) listening on {}:{}, Kafka {}, topics {}*", config.nodeId(), config.slot(),
                config.host(), node.port(), config.kafkaBootstrap(), config.topicNamespace());
        stopped.await();
    }
}
