/*
 * UserState owns what the rate-limit stage remembers about one user (the value of the
 * ratelimit-users store, key user id): the user's live connections and the edge node each is on,
 * the token bucket (units, time of last refill), and the decision in force (blockedUntil and the
 * nodes already told). One small value per user: devices are few.
 */
package io.parley.processors.ratelimit;

import io.parley.contracts.json.JsonSerde;

import java.util.Map;
import java.util.Set;

/**
 * @param connections   connection id -> the edge node holding it
 * @param tokens        the bucket's units at {@code refilledAt} ({@link io.parley.contracts.TokenBucket#UNITS_PER_TOKEN} per
 *                      token); below zero: sends the edges let through beyond it, owed
 * @param refilledAt    event time (epoch ms) of the last refill; never goes back
 * @param blockedUntil  the latest decision sent (epoch ms; 0: none)
 * @param notifiedNodes the edge nodes that hold the decision {@code blockedUntil}
 */
public record UserState(Map<String, ConnRef> connections, long tokens, long refilledAt, long blockedUntil,
                        Set<String> notifiedNodes) {

    public record ConnRef(String edgeNodeId, int slot) {}

    static JsonSerde<UserState> serde() {
        return new JsonSerde<>(UserState.class);
    }
}
