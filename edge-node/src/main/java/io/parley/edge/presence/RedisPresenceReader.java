/*
 * RedisPresenceReader owns the edge's reads of the presence view the processors keep in Redis
 * (lettuce, asynchronous, one shared connection): SMEMBERS <ns>room-online:<room>, then one HGETALL
 * <ns>presence:<user> per member, pipelined; and SMEMBERS <ns>online-users for the online-users
 * event after a connect. The key layout is the processors'
 * (io.parley.processors.presence.RedisPresenceView); <ns> is the topic namespace.
 */
package io.parley.edge.presence;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.command.PresenceReader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

public final class RedisPresenceReader implements PresenceReader, AutoCloseable {
    /** A read that takes longer fails (UNAVAILABLE to the client) instead of waiting. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /** A room's answer lists at most this many users. */
    static final int MAX_USERS = 1_000;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String namespace;

    public RedisPresenceReader(String url, String namespace) {
        this.client = RedisClient.create(url);
        this.connection = client.connect();
        this.redis = connection.async();
        this.namespace = namespace;
    }

    @Override
    public CompletionStage<Protocol.OnlineUsers> onlineUsers(String roomId) {
        return redis.smembers(namespace + "room-online:" + roomId).toCompletableFuture()
                .thenCompose(members -> {
                    List<String> users = members.stream().sorted().limit(MAX_USERS).toList();
                    List<CompletableFuture<Map<String, String>>> reads = new ArrayList<>(users.size());
                    for (String user : users) {
                        reads.add(redis.hgetall(namespace + "presence:" + user).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
                        List<Protocol.OnlineUser> online = new ArrayList<>(users.size());
                        for (int i = 0; i < users.size(); i++) {
                            Map<String, String> p = reads.get(i).join();
                            String status = p.getOrDefault("status", Protocol.ONLINE);
                            if (Protocol.OFFLINE.equals(status)) {
                                continue;
                            }
                            String custom = p.get("customStatus");
                            String lastSeen = p.get("lastSeen");
                            online.add(new Protocol.OnlineUser(users.get(i), status,
                                    custom == null || custom.isEmpty() ? null : custom,
                                    lastSeen == null ? null : Long.valueOf(lastSeen)));
                        }
                        return new Protocol.OnlineUsers(roomId, online);
                    });
                })
                .orTimeout(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Readiness: null if Redis answers PING within {@code timeoutMs}, else why not. */
    public String problem(long timeoutMs) throws Exception {
        String pong = redis.ping().toCompletableFuture().get(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        return "PONG".equals(pong) ? null : "unexpected answer to PING: " + pong;
    }

    @Override
    public CompletionStage<List<String>> onlineUserIds() {
        return redis.smembers(namespace + "online-users").toCompletableFuture()
                .thenApply(members -> members.stream().sorted().limit(MAX_USERS).toList())
                .orTimeout(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
