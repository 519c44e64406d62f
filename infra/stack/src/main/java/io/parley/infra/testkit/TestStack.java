package io.parley.infra.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import io.parley.infra.stack.LocalStack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The stack shared by one test run, as integration tests see it: server addresses, and fresh
 * names so that each test owns its topics, keyspace and Streams application id. Closed (servers
 * stopped, temporary data removed) by JUnit when the run ends.
 */
public final class TestStack implements AutoCloseable {
    private final LocalStack stack;
    private final Path dataDir;

    TestStack(LocalStack stack, Path dataDir) {
        this.stack = stack;
        this.dataDir = dataDir;
    }

    public String kafkaBootstrap() { return stack.kafkaBootstrap(); }

    public String cassandraContactPoints() { return stack.cassandraContactPointsText(); }

    public String localDatacenter() { return stack.config().localDatacenter(); }

    public String redisUrl() { return stack.redisUrl(); }

    /** A fresh name, unique within the run: lower-case letters and digits, starting with a letter. */
    public static String uniqueName(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A fresh topic namespace (e.g. {@code t3f9a...}) with every topic of the catalog created in it. */
    public String newTopicNamespace() {
        String namespace = uniqueName("t") + ".";
        LocalStack.createTopics(kafkaBootstrap(), namespace);
        return namespace;
    }

    /** A fresh keyspace with Parley's schema applied. */
    public String newKeyspace() {
        String keyspace = uniqueName("k");
        try (CqlSession session = cqlSession()) {
            LocalStack.applySchema(session, keyspace);
        }
        return keyspace;
    }

    /** A CQL session against the stack's Cassandra (the caller closes it). */
    public CqlSession cqlSession() { return stack.cqlSession(); }

    @Override
    public void close() throws IOException {
        stack.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
