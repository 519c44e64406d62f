/*
 * RedisSioSessions owns the Redis form of resumable Socket.IO sessions (lettuce, asynchronous,
 * one shared connection): <ns>sio-session:<pid> -> {"userId":..,"rooms":{roomId: lastSeq}} with a
 * TTL (PX), written on join, leave and close of the socket, deleted on a client's own disconnect.
 * Redis holds nothing that cannot be rebuilt: a lost record only means a reconnect is not recovered.
 */
package io.parley.edge.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.parley.contracts.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

public final class RedisSioSessions implements SioSessions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSioSessions.class);
    /** A load that takes longer counts as "no session" (the reconnect is a new session). */
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(2);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String namespace;

    public RedisSioSessions(String url, String namespace) {
        this.client = RedisClient.create(url);
        this.connection = client.connect();
        this.redis = connection.async();
        this.namespace = namespace;
    }

    private String key(String pid) {
        return namespace + "sio-session:" + pid;
    }

    @Override
    public CompletionStage<Saved> load(String pid) {
        return redis.get(key(pid)).toCompletableFuture()
                .orTimeout(LOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((text, failure) -> {
                    if (failure != null) {
                        LOG.debug("session {} not read: {}", pid, failure.toString());
                        return null;
                    }
                    return text == null ? null : parse(text);
                });
    }

    static Saved parse(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            Map<String, Long> rooms = new LinkedHashMap<>();
            for (var room : node.path("rooms").properties()) {
                rooms.put(room.getKey(), room.getValue().asLong());
            }
            String userId = node.path("userId").asText(null);
            return userId == null ? null : new Saved(userId, rooms);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void save(String pid, Saved session, long ttlMs) {
        redis.set(key(pid), Json.write(session), SetArgs.Builder.px(Math.max(1, ttlMs))).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.debug("session {} not saved: {}", pid, failure.toString());
            }
        });
    }

    @Override
    public void delete(String pid) {
        redis.del(key(pid));
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
