// Tests the paging logic against an in-memory partitioned store and a brute-force oracle.
package io.parley.history.cql;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class MessagePagerTest {
    private static final String ROOM = "room-1";

    /** Messages at the given seqs, partitioned like the messages table; counts partition reads. */
    static final class FakeSource implements MessagePager.Source {
        final Buckets buckets;
        final TreeSet<Long> seqs = new TreeSet<>();
        int reads;

        FakeSource(Buckets buckets, LongStream seqs) {
            this.buckets = buckets;
            seqs.forEach(this.seqs::add);
        }

        @Override
        public long head(String roomId) {
            return roomId.equals(ROOM) && !seqs.isEmpty() ? seqs.last() : 0;
        }

        @Override
        public List<StoredMessage> read(String roomId, int bucket, long afterSeq, long beforeSeq, boolean ascending, int limit) {
            reads++;
            assertThat(limit).isPositive();
            var inBucket = seqs.stream().filter(s -> buckets.of(s) == bucket && s > afterSeq && s < beforeSeq)
                    .sorted(ascending ? Comparator.naturalOrder() : Comparator.reverseOrder())
                    .limit(limit).map(MessagePagerTest::message).toList();
            return inBucket;
        }
    }

    static StoredMessage message(long seq) {
        return new StoredMessage(ROOM, seq, "m" + seq, "u", "text " + seq, "text", null, null, null, null, "m" + seq, seq);
    }

    private static List<Long> seqs(Page page) {
        return page.messages().stream().map(StoredMessage::seq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void latestAfterAndBeforeOnAGaplessRoom() {
        FakeSource source = new FakeSource(new Buckets(16), LongStream.rangeClosed(1, 250));
        MessagePager pager = new MessagePager(source.buckets, source);

        Page latest = pager.page(ROOM, new PageRequest.Latest(50));
        assertThat(seqs(latest)).isEqualTo(range(201, 250));
        assertThat(latest.hasMore()).isTrue();

        Page first = pager.page(ROOM, new PageRequest.After(0, 200));
        assertThat(seqs(first)).isEqualTo(range(1, 200));
        assertThat(first.hasMore()).isTrue();

        Page rest = pager.page(ROOM, new PageRequest.After(200, 200));
        assertThat(seqs(rest)).isEqualTo(range(201, 250));
        assertThat(rest.hasMore()).isFalse();

        // Crosses the boundary of buckets 0 (0..15) and 1 (16..31).
        Page before = pager.page(ROOM, new PageRequest.Before(18, 5));
        assertThat(seqs(before)).isEqualTo(range(13, 17));
        assertThat(before.hasMore()).isTrue();

        Page oldest = pager.page(ROOM, new PageRequest.Before(4, 10));
        assertThat(seqs(oldest)).isEqualTo(range(1, 3));
        assertThat(oldest.hasMore()).isFalse();

        Page exact = pager.page(ROOM, new PageRequest.Before(4, 3));
        assertThat(seqs(exact)).isEqualTo(range(1, 3));
        assertThat(exact.hasMore()).isFalse();

        Page all = pager.page(ROOM, new PageRequest.Latest(200));
        assertThat(seqs(all)).isEqualTo(range(51, 250));
        assertThat(pager.page(ROOM, new PageRequest.Latest(1)).messages()).singleElement()
                .extracting(StoredMessage::seq).isEqualTo(250L);
    }

    @Test
    void emptyPagesAtTheEdges() {
        FakeSource source = new FakeSource(new Buckets(16), LongStream.rangeClosed(1, 40));
        MessagePager pager = new MessagePager(source.buckets, source);

        assertThat(pager.page(ROOM, new PageRequest.After(40, 10))).isEqualTo(new Page(List.of(), false));
        assertThat(pager.page(ROOM, new PageRequest.After(1_000_000, 10))).isEqualTo(new Page(List.of(), false));
        assertThat(pager.page(ROOM, new PageRequest.Before(1, 10))).isEqualTo(new Page(List.of(), false));
        assertThat(pager.page(ROOM, new PageRequest.Before(0, 10))).isEqualTo(new Page(List.of(), false));
        assertThat(pager.page("other-room", new PageRequest.Latest(10))).isEqualTo(new Page(List.of(), false));
        // A 'before' far above the head starts at the head's bucket, not at the bucket of Long.MAX_VALUE.
        source.reads = 0;
        assertThat(seqs(pager.page(ROOM, new PageRequest.Before(Long.MAX_VALUE, 3)))).isEqualTo(range(38, 40));
        assertThat(source.reads).isEqualTo(1);
    }

    @Test
    void walksThroughEmptyBucketsLeftByMemberEvents() {
        // Messages 1-5 and 41-45; seqs 6-40 are member events, so bucket 1 (16..31) holds no message.
        FakeSource source = new FakeSource(new Buckets(16),
                LongStream.concat(LongStream.rangeClosed(1, 5), LongStream.rangeClosed(41, 45)));
        MessagePager pager = new MessagePager(source.buckets, source);

        assertThat(seqs(pager.page(ROOM, new PageRequest.Latest(7)))).containsExactly(4L, 5L, 41L, 42L, 43L, 44L, 45L);
        Page after = pager.page(ROOM, new PageRequest.After(5, 3));
        assertThat(seqs(after)).containsExactly(41L, 42L, 43L);
        assertThat(after.hasMore()).isTrue();
        Page before = pager.page(ROOM, new PageRequest.Before(41, 10));
        assertThat(seqs(before)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(before.hasMore()).isFalse();
        Page tail = pager.page(ROOM, new PageRequest.After(3, 10));
        assertThat(seqs(tail)).containsExactly(4L, 5L, 41L, 42L, 43L, 44L, 45L);
        assertThat(tail.hasMore()).isFalse();
    }

    @Test
    void pageWithinOneBucketReadsOnePartition() {
        FakeSource source = new FakeSource(Buckets.defaults(), LongStream.rangeClosed(1, 25_000));
        MessagePager pager = new MessagePager(source.buckets, source);
        source.reads = 0;
        assertThat(seqs(pager.page(ROOM, new PageRequest.Latest(200)))).isEqualTo(range(24_801, 25_000));
        assertThat(source.reads).isEqualTo(1);
        source.reads = 0;
        assertThat(seqs(pager.page(ROOM, new PageRequest.After(9_900, 200)))).isEqualTo(range(9_901, 10_100));
        assertThat(source.reads).isEqualTo(2);
    }

    @Test
    void matchesABruteForceOracleOnRandomRooms() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            int bucketSize = 1 + random.nextInt(20);
            List<Long> present = new ArrayList<>();
            long top = random.nextInt(120);
            for (long seq = 1; seq <= top; seq++) {
                if (random.nextInt(4) != 0) {
                    present.add(seq);
                }
            }
            FakeSource source = new FakeSource(new Buckets(bucketSize), present.stream().mapToLong(Long::longValue));
            MessagePager pager = new MessagePager(source.buckets, source);
            int limit = 1 + random.nextInt(15);
            long cursor = random.nextInt(130);

            List<Long> afterExpected = present.stream().filter(s -> s > cursor).toList();
            Page after = pager.page(ROOM, new PageRequest.After(cursor, limit));
            assertThat(seqs(after)).isEqualTo(afterExpected.subList(0, Math.min(limit, afterExpected.size())));
            assertThat(after.hasMore()).isEqualTo(afterExpected.size() > limit);

            List<Long> beforeAll = present.stream().filter(s -> s < cursor).toList();
            Page before = pager.page(ROOM, new PageRequest.Before(cursor, limit));
            assertThat(seqs(before)).isEqualTo(beforeAll.subList(Math.max(0, beforeAll.size() - limit), beforeAll.size()));
            assertThat(before.hasMore()).isEqualTo(beforeAll.size() > limit);

            Page latest = pager.page(ROOM, new PageRequest.Latest(limit));
            assertThat(seqs(latest)).isEqualTo(present.subList(Math.max(0, present.size() - limit), present.size()));
            assertThat(latest.hasMore()).isEqualTo(present.size() > limit);
        }
    }
}
