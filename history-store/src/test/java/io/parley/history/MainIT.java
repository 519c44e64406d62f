// Integration test of the process as the launcher starts it: listening line, /health, SIGTERM.
package io.parley.history;

import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class MainIT {
    private static final Pattern LISTENING = Pattern.compile("parley-history listening on port (\\d+)");

    @Test
    void printsItsPortServesHealthAndStopsOnSigterm(TestStack stack) throws Exception {
        Path log = Files.createTempFile("parley-history-main", ".log");
        String groupId = TestStack.uniqueName("history");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), "io.parley.history.Main"))
                .redirectError(log.toFile());
        builder.environment().putAll(Map.of(
                "PARLEY_KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
                "PARLEY_TOPIC_NAMESPACE", stack.newTopicNamespace(),
                "PARLEY_CASSANDRA_CONTACT_POINTS", stack.cassandraContactPoints(),
                "PARLEY_CASSANDRA_LOCAL_DC", stack.localDatacenter(),
                "PARLEY_CASSANDRA_KEYSPACE", TestStack.uniqueName("k"),
                "PARLEY_HISTORY_GROUP_ID", groupId,
                "PARLEY_HISTORY_PORT", "0",
                "PARLEY_JWT_SECRET", Fixtures.SECRET));
        Process process = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(90, TimeUnit.SECONDS);
            assertThat(line).as("first line of stdout; stderr in %s", log).matches(LISTENING);
            Matcher matcher = LISTENING.matcher(line);
            assertThat(matcher.matches()).isTrue();
            int port = Integer.parseInt(matcher.group(1));

            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.get(http, port, "/health", null).status() == 200);

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            String stderr = Files.readString(log);
            assertThat(stderr).contains("parley-history stopping").contains("parley-history stopped");
            assertThat(stderr).doesNotContain("Exception");
            // The consumer closed (left its group) instead of being abandoned until its session timed out.
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).all()
                        .get(30, TimeUnit.SECONDS).get(groupId);
                assertThat(group.members()).isEmpty();
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
