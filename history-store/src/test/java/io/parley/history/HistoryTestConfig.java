// Owns the integration tests' history-store configuration against the shared test stack.
package io.parley.history;

import io.parley.infra.testkit.TestStack;

import java.util.Map;

/** The one test secret and the {@link HistoryConfig} every history-store IT starts its store with. */
public final class HistoryTestConfig {
    public static final String SECRET = "history-store-test-secret-0123456789";

    private HistoryTestConfig() {}

    /** The store on the test stack, on its own topic namespace, keyspace and consumer group, on a free port. */
    public static HistoryConfig config(TestStack stack, String namespace, String keyspace, String groupId) {
        return HistoryConfig.fromEnv(Map.of(
                "PARLEY_KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
                "PARLEY_TOPIC_NAMESPACE", namespace,
                "PARLEY_CASSANDRA_CONTACT_POINTS", stack.cassandraContactPoints(),
                "PARLEY_CASSANDRA_LOCAL_DC", stack.localDatacenter(),
                "PARLEY_CASSANDRA_KEYSPACE", keyspace,
                "PARLEY_HISTORY_GROUP_ID", groupId,
                "PARLEY_HISTORY_PORT", "0",
                "PARLEY_JWT_SECRET", SECRET));
    }

    /** {@link #config} on a fresh topic namespace, keyspace and consumer group ({@code groupPrefix} and a unique suffix). */
    public static HistoryConfig fresh(TestStack stack, String groupPrefix) {
        return config(stack, stack.newTopicNamespace(), stack.newKeyspace(), TestStack.uniqueName(groupPrefix));
    }
}
