/*
 * RedisPresenceView owns the presence read view in Redis (lettuce, asynchronous): per user a hash
 * {@code <ns>presence:<userId>} (status, customStatus, lastSeen) and per room a set
 * {@code <ns>room-online:<roomId>} of its members that are online (membership is by connection, so
 * a member always has a connection), and one set {@code <ns>online-users} of every user not offline
 * (seed 004's online-users after a connect). {@code <ns>} is the topic namespace, so deployments sharing a
 * Redis do not mix. Edge nodes read the same keys (see the edge's PresenceReader).
 */
package io.parley.processors.presence;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

public final class RedisPresenceView implements PresenceView {
    private static final Logger log = LoggerFactory.getLogger(RedisPresenceView.class);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String prefix;
    private final String applicationId;
    private final AtomicLong failures = new AtomicLong();

    public RedisPresenceView(String url, String namespace, String applicationId) {
        this.client = RedisClient.create(url);
        this.connection = client.connect();
        this.redis = connection.async();
        this.prefix = namespace;
        this.applicationId = applicationId;
    }

    public static String presenceKey(String namespace, String userId) {
        return namespace + "presence:" + userId;
    }

    public static String onlineKey(String namespace) {
        return namespace + "online-users";
    }

    public static String roomKey(String namespace, String roomId) {
        return namespace + "room-online:" + roomId;
    }

    @Override
    public void presence(String userId, String status, String customStatus, long lastSeen) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status", status);
        fields.put("customStatus", customStatus == null ? "" : customStatus);
        fields.put("lastSeen", Long.toString(lastSeen));
        watch(redis.hset(presenceKey(prefix, userId), fields));
        watch("offline".equals(status) ? redis.srem(onlineKey(prefix), userId) : redis.sadd(onlineKey(prefix), userId));
    }

    @Override
    public void joined(String roomId, String userId) {
        watch(redis.sadd(roomKey(prefix, roomId), userId));
    }

    @Override
    public void left(String roomId, String userId) {
        watch(redis.srem(roomKey(prefix, roomId), userId));
    }

    @Override
    public CompletionStage<Boolean> hasMarker(int partition) {
        return redis.exists(markerKey(partition)).thenApply(n -> n != null && n > 0);
    }

    @Override
    public void setMarker(int partition) {
        watch(redis.set(markerKey(partition), Long.toString(System.currentTimeMillis())));
    }

    private String markerKey(int partition) {
        return prefix + "presence-view-marker:" + applicationId + ":" + partition;
    }

    private void watch(CompletionStage<?> write) {
        write.whenComplete((ok, failure) -> {
            if (failure != null && failures.incrementAndGet() % 100 == 1) {
                log.warn("presence view write failed ({} so far): {}", failures.get(), failure.toString());
            }
        });
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }

    /** Readiness: null if Redis answers PING within {@code timeoutMs}, else why not. */
    public String problem(long timeoutMs) throws Exception {
        String pong = redis.ping().toCompletableFuture().get(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        return "PONG".equals(pong) ? null : "unexpected answer to PING: " + pong;
    }
}
