package io.parley.infra.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Redis keys with a time to live, through lettuce. */
@ExtendWith(ParleyStackExtension.class)
class RedisIT {

    @Test
    void keysWithATimeToLiveAreReadableAndThenExpire(TestStack stack) {
        RedisClient client = RedisClient.create(stack.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            String key = TestStack.uniqueName("it:presence:");

            assertThat(redis.set(key, "online", SetArgs.Builder.ex(60))).isEqualTo("OK");
            assertThat(redis.get(key)).isEqualTo("online");
            assertThat(redis.ttl(key)).isBetween(1L, 60L);

            // SET PX and PTTL in one transaction, so the TTL read is not at the mercy of a slow machine.
            String shortKey = TestStack.uniqueName("it:typing:");
            redis.multi();
            redis.set(shortKey, "typing", SetArgs.Builder.px(1000));
            redis.get(shortKey);
            redis.pttl(shortKey);
            TransactionResult result = redis.exec();
            assertThat(result.wasDiscarded()).isFalse();
            assertThat((String) result.get(0)).isEqualTo("OK");
            assertThat((String) result.get(1)).isEqualTo("typing");
            assertThat((Long) result.get(2)).isBetween(1L, 1000L);

            await().atMost(Duration.ofSeconds(30)).until(() -> redis.exists(shortKey) == 0);
            assertThat(redis.get(shortKey)).isNull();
            assertThat(redis.pttl(shortKey)).as("PTTL of a missing key").isEqualTo(-2L);

            // PEXPIRE shortens the TTL of the long-lived key, which then expires too.
            assertThat(redis.pexpire(key, 300)).isTrue();
            assertThat(redis.pttl(key)).isLessThanOrEqualTo(300L);
            await().atMost(Duration.ofSeconds(30)).until(() -> redis.get(key) == null);
            assertThat(redis.exists(key)).isZero();
        } finally {
            client.shutdown();
        }
    }
}
