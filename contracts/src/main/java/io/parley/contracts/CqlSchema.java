package io.parley.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parley's Cassandra schema (resource {@code cql/schema.cql} beside this class), the documented
 * storage contract for operators and for the history store. Every statement is idempotent
 * ({@code IF NOT EXISTS}), so applying it again is always safe.
 */
public final class CqlSchema {
    private static final Pattern KEYSPACE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    private CqlSchema() {}

    /**
     * The schema's statements for a keyspace, in order.
     *
     * @param keyspace    lower-case identifier (a-z, 0-9, _), at most 48 characters
     * @param replication the CQL replication map, e.g. {@code {'class':'SimpleStrategy','replication_factor':1}}
     */
    public static List<String> statements(String keyspace, String replication) {
        if (!KEYSPACE_NAME.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("invalid keyspace name: " + keyspace);
        }
        String text = resource().replace("${keyspace}", keyspace).replace("${replication}", replication);
        return Arrays.stream(withoutComments(text).split(";"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** Local single-node replication. */
    public static String localReplication() {
        return "{'class':'SimpleStrategy','replication_factor':1}";
    }

    private static String withoutComments(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.strip().startsWith("--")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static String resource() {
        try (InputStream in = CqlSchema.class.getResourceAsStream("cql/schema.cql")) {
            if (in == null) {
                throw new IllegalStateException("cql/schema.cql missing from the contracts jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
