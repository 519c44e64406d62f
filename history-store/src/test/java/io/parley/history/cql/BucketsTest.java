// Tests the bucket math: which partition a seq lands in, and the bounds of each bucket.
package io.parley.history.cql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BucketsTest {

    @Test
    void defaultBucketsHoldTenThousandSeqs() {
        Buckets buckets = Buckets.defaults();
        assertThat(buckets.size()).isEqualTo(10_000);
        assertThat(buckets.of(0)).isZero();
        assertThat(buckets.of(1)).isZero();
        assertThat(buckets.of(9_999)).isZero();
        assertThat(buckets.of(10_000)).isEqualTo(1);
        assertThat(buckets.of(123_456_789L)).isEqualTo(12_345);
    }

    @Test
    void boundsOfABucketMapBackToIt() {
        Buckets buckets = new Buckets(16);
        for (int bucket = 0; bucket < 100; bucket++) {
            assertThat(buckets.of(buckets.firstSeq(bucket))).isEqualTo(bucket);
            assertThat(buckets.of(buckets.lastSeq(bucket))).isEqualTo(bucket);
            assertThat(buckets.of(buckets.lastSeq(bucket) + 1)).isEqualTo(bucket + 1);
        }
        assertThat(new Buckets(1).of(7)).isEqualTo(7);
    }

    @Test
    void bucketIsAPureFunctionOfSeq() {
        Buckets a = new Buckets(10_000);
        Buckets b = new Buckets(10_000);
        for (long seq = 0; seq < 50_000; seq += 997) {
            assertThat(a.of(seq)).isEqualTo(b.of(seq));
        }
    }

    @Test
    void refusesNegativeSeqsAndSizesAndOverflow() {
        assertThatThrownBy(() -> Buckets.defaults().of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Buckets(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Buckets(1).of(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }
}
