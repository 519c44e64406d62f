// Tests the history store's configuration from environment variables and its defaults.
package io.parley.history;

import io.parley.contracts.Topic;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void defaults() {
        HistoryConfig config = HistoryConfig.fromEnv(Map.of("PARLEY_JWT_SECRET", SECRET));
        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:19092");
        assertThat(config.topicNamespace()).isEqualTo(Topic.DEFAULT_NAMESPACE);
        assertThat(config.roomEventsTopic()).isEqualTo("parley.room-events.v1");
        assertThat(config.cassandraContactPoints()).containsExactly(new InetSocketAddress("127.0.0.1", 19042));
        assertThat(config.cassandraLocalDc()).isEqualTo("datacenter1");
        assertThat(config.keyspace()).isEqualTo("parley");
        assertThat(config.groupId()).isEqualTo("parley-history");
        assertThat(config.port()).isEqualTo(8090);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.buckets().size()).isEqualTo(10_000);
        assertThat(config.auth().hs256Secret()).contains(SECRET);
        assertThat(config.fetchMaxWaitMs()).isEqualTo(250);
        assertThat(config.fetchMinBytes()).isEqualTo(262_144);
    }

    @Test
    void readsEveryVariable() {
        HistoryConfig config = HistoryConfig.fromEnv(Map.of(
                "PARLEY_JWT_SECRET", SECRET,
                "PARLEY_KAFKA_BOOTSTRAP", "k1:9092,k2:9092",
                "PARLEY_TOPIC_NAMESPACE", "t1.",
                "PARLEY_CASSANDRA_CONTACT_POINTS", "127.0.0.1:9142, 127.0.0.2",
                "PARLEY_CASSANDRA_LOCAL_DC", "dc2",
                "PARLEY_CASSANDRA_KEYSPACE", "ks1",
                "PARLEY_HISTORY_GROUP_ID", "g1",
                "PARLEY_HISTORY_PORT", "0",
                "PARLEY_HISTORY_HOST", "0.0.0.0"));
        assertThat(config.kafkaBootstrap()).isEqualTo("k1:9092,k2:9092");
        assertThat(config.roomEventsTopic()).isEqualTo("t1.room-events.v1");
        assertThat(config.cassandraContactPoints()).isEqualTo(List.of(
                new InetSocketAddress("127.0.0.1", 9142), new InetSocketAddress("127.0.0.2", 9042)));
        assertThat(config.cassandraLocalDc()).isEqualTo("dc2");
        assertThat(config.keyspace()).isEqualTo("ks1");
        assertThat(config.groupId()).isEqualTo("g1");
        assertThat(config.port()).isZero();
        assertThat(config.host()).isEqualTo("0.0.0.0");
    }

    @Test
    void readsTheWritersFetchSettings() {
        HistoryConfig config = HistoryConfig.fromEnv(Map.of("PARLEY_JWT_SECRET", SECRET,
                "PARLEY_HISTORY_FETCH_MAX_WAIT_MS", "40", "PARLEY_HISTORY_FETCH_MIN_BYTES", "1"));
        assertThat(config.fetchMaxWaitMs()).isEqualTo(40);
        assertThat(config.fetchMinBytes()).isEqualTo(1);
        assertThat(config.withGroupId("g2").withKeyspace("k2").withBucketSize(8).fetchMaxWaitMs()).isEqualTo(40);
        assertThat(HistoryConfig.storageFromEnv(Map.of("PARLEY_HISTORY_FETCH_MIN_BYTES", "1024")).fetchMinBytes()).isEqualTo(1024);
    }

    @Test
    void refusesBadValues() {
        assertThatThrownBy(() -> HistoryConfig.fromEnv(Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HistoryConfig.fromEnv(Map.of("PARLEY_JWT_SECRET", SECRET, "PARLEY_HISTORY_PORT", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HistoryConfig.fromEnv(Map.of("PARLEY_JWT_SECRET", SECRET, "PARLEY_HISTORY_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HistoryConfig.fromEnv(Map.of("PARLEY_JWT_SECRET", SECRET, "PARLEY_HISTORY_FETCH_MAX_WAIT_MS", "-1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HistoryConfig.fromEnv(Map.of("PARLEY_JWT_SECRET", SECRET, "PARLEY_HISTORY_FETCH_MIN_BYTES", "0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStorageSettingsNeedNoTokenSettings() {
        HistoryConfig config = HistoryConfig.storageFromEnv(Map.of("PARLEY_CASSANDRA_KEYSPACE", "live",
                "PARLEY_TOPIC_NAMESPACE", "ns."));
        assertThat(config.keyspace()).isEqualTo("live");
        assertThat(config.roomEventsTopic()).isEqualTo("ns.room-events.v1");
        assertThat(config.auth()).isNull();
        assertThatThrownBy(() -> HistoryConfig.fromEnv(Map.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
