package io.parley.infra.stack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StackConfigTest {

    @Test
    void defaultsWhenNothingIsSet() {
        StackConfig config = StackConfig.fromEnv(Map.of(), false);

        assertThat(config.dataDir()).isEqualTo(Path.of(".parley").toAbsolutePath().normalize());
        assertThat(config.dataDir()).isAbsolute();
        assertThat(config.clean()).isFalse();
        assertThat(config.kafkaPort()).isEqualTo(19092);
        assertThat(config.kafkaControllerPort()).isEqualTo(19093);
        assertThat(config.cqlPort()).isEqualTo(19042);
        assertThat(config.cassandraStoragePort()).isEqualTo(17000);
        assertThat(config.redisPort()).isEqualTo(16379);
        assertThat(config.externalKafka()).isEmpty();
        assertThat(config.externalCassandra()).isEmpty();
        assertThat(config.externalRedis()).isEmpty();
        assertThat(config.topicNamespace()).isEqualTo("parley.");
        assertThat(config.keyspace()).isEqualTo("parley");
        assertThat(config.localDatacenter()).isEqualTo("datacenter1");
        assertThat(config.cassandraJavaHome()).isEmpty();
        assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(180));
        assertThat(config.runDir()).isEqualTo(config.dataDir().resolve("run"));
        assertThat(config.logDir()).isEqualTo(config.dataDir().resolve("logs"));
    }

    @Test
    void everyVariableOverridesItsDefault() {
        Map<String, String> env = new HashMap<>();
        env.put("PARLEY_DATA_DIR", "/tmp/somewhere/../parley-data");
        env.put("PARLEY_KAFKA_PORT", "29092");
        env.put("PARLEY_KAFKA_CONTROLLER_PORT", " 29093 ");
        env.put("PARLEY_CASSANDRA_PORT", "29042");
        env.put("PARLEY_CASSANDRA_STORAGE_PORT", "27000");
        env.put("PARLEY_REDIS_PORT", "26379");
        env.put("PARLEY_KAFKA_BOOTSTRAP", " kafka-1:9092,kafka-2:9092 ");
        env.put("PARLEY_CASSANDRA_CONTACT_POINTS", "10.0.0.1:9042");
        env.put("PARLEY_REDIS_URL", "redis://10.0.0.2:6379");
        env.put("PARLEY_TOPIC_NAMESPACE", "staging.");
        env.put("PARLEY_CASSANDRA_KEYSPACE", "parley_staging");
        env.put("PARLEY_CASSANDRA_LOCAL_DC", "dc-west");
        env.put("PARLEY_CASSANDRA_JAVA_HOME", "/opt/jdk17");
        env.put("PARLEY_START_TIMEOUT_SECONDS", "42");

        StackConfig config = StackConfig.fromEnv(env, true);

        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/parley-data"));
        assertThat(config.clean()).isTrue();
        assertThat(config.kafkaPort()).isEqualTo(29092);
        assertThat(config.kafkaControllerPort()).isEqualTo(29093);
        assertThat(config.cqlPort()).isEqualTo(29042);
        assertThat(config.cassandraStoragePort()).isEqualTo(27000);
        assertThat(config.redisPort()).isEqualTo(26379);
        assertThat(config.externalKafka()).contains("kafka-1:9092,kafka-2:9092");
        assertThat(config.externalCassandra()).contains("10.0.0.1:9042");
        assertThat(config.externalRedis()).contains("redis://10.0.0.2:6379");
        assertThat(config.topicNamespace()).isEqualTo("staging.");
        assertThat(config.keyspace()).isEqualTo("parley_staging");
        assertThat(config.localDatacenter()).isEqualTo("dc-west");
        assertThat(config.cassandraJavaHome()).contains(Path.of("/opt/jdk17"));
        assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(42));
        assertThat(config.runDir()).isEqualTo(Path.of("/tmp/parley-data/run"));
    }

    @Test
    void blankValuesCountAsUnset() {
        StackConfig config = StackConfig.fromEnv(Map.of(
                "PARLEY_KAFKA_PORT", "  ",
                "PARLEY_KAFKA_BOOTSTRAP", "   ",
                "PARLEY_REDIS_URL", ""), false);

        assertThat(config.kafkaPort()).isEqualTo(19092);
        assertThat(config.externalKafka()).isEmpty();
        assertThat(config.externalRedis()).isEmpty();
    }

    @Test
    void aBadNumberIsAStackExceptionNamingTheVariableAndValue() {
        assertThatThrownBy(() -> StackConfig.fromEnv(Map.of("PARLEY_KAFKA_PORT", "90g2"), false))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("PARLEY_KAFKA_PORT")
                .hasMessageContaining("'90g2'");
        assertThatThrownBy(() -> StackConfig.fromEnv(Map.of("PARLEY_START_TIMEOUT_SECONDS", "3m"), false))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("PARLEY_START_TIMEOUT_SECONDS");
    }

    @Test
    void forTestsUsesTheGivenDirectoryFreshPortsAndKeepsExternalServers() {
        Path dataDir = Path.of("/tmp/parley-test-config");
        StackConfig config = StackConfig.forTests(Map.of(
                "PARLEY_REDIS_URL", "redis://10.0.0.2:6379",
                "PARLEY_KAFKA_PORT", "19092",
                "PARLEY_CASSANDRA_KEYSPACE", "parley_ci"), dataDir);

        assertThat(config.dataDir()).isEqualTo(dataDir);
        assertThat(config.clean()).isTrue();
        assertThat(config.externalRedis()).isEqualTo(Optional.of("redis://10.0.0.2:6379"));
        assertThat(config.externalKafka()).isEmpty();
        assertThat(config.keyspace()).isEqualTo("parley_ci");
        // Ports are picked by the OS (ephemeral range), never the fixed developer defaults.
        assertThat(List.of(config.kafkaPort(), config.kafkaControllerPort(), config.cqlPort(),
                config.cassandraStoragePort(), config.redisPort()))
                .allSatisfy(port -> assertThat(port).isBetween(1024, 65535))
                .doesNotContain(19092, 19093, 19042, 17000, 16379);
    }
}
