/*
 * ReadinessIT owns the end-to-end check of /ready: on a Kafka of its own (the shared test stack's
 * Kafka cannot be stopped without disturbing the other tests), with the shared Cassandra and
 * Redis, a whole Parley (processors, history store, one edge node) is ready; Kafka is stopped and
 * every process turns not ready (503) while /health keeps answering; Kafka comes back and every
 * process is ready again.
 */
package io.parley.e2e;

import io.parley.infra.stack.LocalStack;
import io.parley.infra.stack.ParleyServices;
import io.parley.infra.stack.ServicesConfig;
import io.parley.infra.stack.StackConfig;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class ReadinessIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void everyProcessIsNotReadyWhileKafkaIsGoneAndReadyAgainAfter(TestStack shared) throws Exception {
        Path dataDir = Files.createTempDirectory("parley-readiness-");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("PARLEY_KAFKA_BOOTSTRAP");
        env.put("PARLEY_CASSANDRA_CONTACT_POINTS", shared.cassandraContactPoints());
        env.put("PARLEY_REDIS_URL", shared.redisUrl());
        env.put("PARLEY_TOPIC_NAMESPACE", TestStack.uniqueName("r") + ".");
        env.put("PARLEY_CASSANDRA_KEYSPACE", TestStack.uniqueName("kr"));
        StackConfig stackConfig = StackConfig.forTests(env, dataDir);
        try (LocalStack stack = LocalStack.start(stackConfig, line -> System.out.println("[readiness-stack] " + line))) {
            ParleyServices.Target target = new ParleyServices.Target(stack.kafkaBootstrap(), shared.cassandraContactPoints(),
                    shared.localDatacenter(), shared.redisUrl(), stackConfig.topicNamespace(), stackConfig.keyspace(), stackConfig);
            ServicesConfig config = ServicesConfig.forTests(1, ParleyCluster.SECRET, Map.of("PARLEY_READY_CHECK_MS", "500"));
            try (ParleyServices services = ParleyServices.start(target, config, line -> System.out.println("[readiness] " + line))) {
                List<String> processes = List.of(
                        "http://127.0.0.1:" + config.edgePorts().get(0),
                        "http://127.0.0.1:" + config.processorsHealthPort(),
                        "http://127.0.0.1:" + config.historyPort());
                for (String base : processes) {
                    await().atMost(WsClient.PATIENCE).pollInterval(Duration.ofMillis(200))
                            .untilAsserted(() -> assertThat(status(base + "/ready")).as(base + "/ready").isEqualTo(200));
                }

                stack.stopKafka();
                for (String base : processes) {
                    await().atMost(WsClient.PATIENCE).pollInterval(Duration.ofMillis(200))
                            .untilAsserted(() -> assertThat(status(base + "/ready")).as(base + "/ready, Kafka stopped").isEqualTo(503));
                    assertThat(body(base + "/ready")).contains("kafka");
                }
                // Liveness is another question: the edge node and the history store still serve.
                assertThat(status(processes.get(0) + "/health")).isEqualTo(200);
                assertThat(status(processes.get(2) + "/health")).isEqualTo(200);

                stack.startKafka();
                for (String base : processes) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                            .untilAsserted(() -> assertThat(status(base + "/ready")).as(base + "/ready, Kafka back").isEqualTo(200));
                }
            }
        }
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
