// Owns the paging logic of history reads: walking (room, bucket) partitions in either direction.
package io.parley.history.cql;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link PageRequest} into partition reads. Every read asks for one more row than the page
 * holds, to know {@code hasMore} without a count. Walks are bounded by the room's head (the
 * highest message seq written): up to it for {@code after}, down from it for latest and
 * {@code before}, down to bucket 0 at the latest. Buckets may be empty (seq also counts member
 * events), so a walk never stops at an empty bucket, only at its bound or a full page.
 */
public final class MessagePager {

    /** Where the pager reads from: the Cassandra store, or a fake in unit tests. */
    public interface Source {
        /** The highest message seq stored for the room, 0 if none. */
        long head(String roomId);

        /**
         * Up to {@code limit} messages of one partition with {@code afterSeq < seq < beforeSeq},
         * ascending or descending by seq.
         */
        List<StoredMessage> read(String roomId, int bucket, long afterSeq, long beforeSeq, boolean ascending, int limit);

        /** The highest seq of any event of the room applied to the store (every message at or below it is stored); 0 if none. */
        default long storedSeq(String roomId) {
            return 0;
        }
    }

    private final Buckets buckets;
    private final Source source;

    public MessagePager(Buckets buckets, Source source) {
        this.buckets = buckets;
        this.source = source;
    }

    /** See {@link Source#storedSeq}: read it before {@link #page} to know up to where the page is complete. */
    public long storedSeq(String roomId) {
        return source.storedSeq(roomId);
    }

    public Page page(String roomId, PageRequest request) {
        long head = source.head(roomId);
        if (head <= 0) {
            return new Page(List.of(), false);
        }
        return switch (request) {
            case PageRequest.After after -> walkUp(roomId, after.seq(), head, after.limit());
            case PageRequest.Before before -> walkDown(roomId, Math.min(before.seq(), head + 1), before.limit());
            case PageRequest.Latest latest -> walkDown(roomId, head + 1, latest.limit());
        };
    }

    /** Messages with seq > afterSeq, ascending, up to the head's bucket. */
    private Page walkUp(String roomId, long afterSeq, long head, int limit) {
        if (afterSeq >= head) {
            return new Page(List.of(), false);
        }
        List<StoredMessage> found = new ArrayList<>(limit + 1);
        int last = buckets.of(head);
        for (int bucket = buckets.of(afterSeq + 1); bucket <= last && found.size() <= limit; bucket++) {
            found.addAll(source.read(roomId, bucket, afterSeq, Long.MAX_VALUE, true, limit + 1 - found.size()));
        }
        boolean hasMore = found.size() > limit;
        return new Page(hasMore ? found.subList(0, limit) : found, hasMore);
    }

    /** The messages immediately below beforeSeq, read newest first, returned ascending. */
    private Page walkDown(String roomId, long beforeSeq, int limit) {
        if (beforeSeq <= 1) {
            return new Page(List.of(), false);
        }
        List<StoredMessage> found = new ArrayList<>(limit + 1);
        for (int bucket = buckets.of(beforeSeq - 1); bucket >= 0 && found.size() <= limit; bucket--) {
            found.addAll(source.read(roomId, bucket, 0, beforeSeq, false, limit + 1 - found.size()));
        }
        boolean hasMore = found.size() > limit;
        List<StoredMessage> page = new ArrayList<>(hasMore ? found.subList(0, limit) : found);
        java.util.Collections.reverse(page);
        return new Page(page, hasMore);
    }
}
