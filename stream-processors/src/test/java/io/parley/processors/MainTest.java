/*
 * MainTest owns the check of the health endpoint's contract: it answers 503 with the streams'
 * state until they are RUNNING (here they are never started, so no broker is needed).
 */
package io.parley.processors;

import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @TempDir
    Path stateDir;

    @Test
    void healthIsDownUntilTheStreamsRun() throws Exception {
        ProcessorsConfig config = ProcessorsConfig.from(Map.of(
                "PARLEY_KAFKA_BOOTSTRAP", "127.0.0.1:1", "PARLEY_STATE_DIR", stateDir.toString()));
        Properties props = Main.streamsProperties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "main-test");
        try (KafkaStreams streams = new KafkaStreams(Main.topology(config), props);
             HttpClient client = HttpClient.newHttpClient()) {
            HttpServer server = Main.healthServer(0, streams);
            server.start();
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.body()).contains("CREATED");
            } finally {
                server.stop(0);
            }
        }
    }
}
