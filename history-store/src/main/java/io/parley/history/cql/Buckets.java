// Owns the bucket math of the messages table: which (room_id, bucket) partition a seq lives in.
package io.parley.history.cql;

/**
 * Messages are partitioned by {@code (room_id, bucket)} with {@code bucket = seq / size}.
 *
 * <p>Why {@value #DEFAULT_SIZE}: a partition then holds at most 10,000 rows, a few MB at typical
 * message sizes and still well under Cassandra's ~100 MB comfort limit for long messages, however
 * long a room lives (bounded partitions, Discord-style). A page (at most 200 messages) touches one
 * partition, two when it straddles a boundary. The bucket is a pure function of {@code seq}, so a
 * replay of the Kafka log always lands in the same rows. The size is part of the storage format:
 * it must never change for an existing keyspace (rows would be looked for in other partitions).
 */
public record Buckets(int size) {
    public static final int DEFAULT_SIZE = 10_000;

    public Buckets {
        if (size < 1) {
            throw new IllegalArgumentException("bucket size must be positive: " + size);
        }
    }

    public static Buckets defaults() {
        return new Buckets(DEFAULT_SIZE);
    }

    /** The bucket of {@code seq} (seq >= 0). */
    public int of(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative: " + seq);
        }
        long bucket = seq / size;
        if (bucket > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("seq out of range: " + seq);
        }
        return (int) bucket;
    }

    /** The smallest seq of {@code bucket}. */
    public long firstSeq(int bucket) {
        return (long) bucket * size;
    }

    /** The largest seq of {@code bucket}. */
    public long lastSeq(int bucket) {
        return (long) bucket * size + size - 1;
    }
}
