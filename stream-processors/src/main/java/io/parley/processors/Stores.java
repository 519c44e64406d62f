/*
 * Stores owns the names of every state store and punctuator of the processors, and the
 * retention of what the stores remember for idempotency, so that names appear once (they are
 * part of the changelog topic names: <application id>-<store>-changelog; renaming one loses state).
 */
package io.parley.processors;

import java.time.Duration;

/** State store and punctuator names, in one place. */
public final class Stores {
    private Stores() {}

    /**
     * The room topology's one key-value store (key: a typed key of {@code room.RoomKeys}): per room
     * the head (seq, op count) and the routing table (edge node -> slot, connections); per (room,
     * user) the connections; per (room, user, clientMsgId) the original ack; per command the
     * decision already taken. One store, so one changelog partition keeps the write order that
     * crash safety relies on (see {@code room.RoomProcessor}).
     */
    public static final String ROOM_STATE = "room-state";

    /** The rate-limit topology's store (key: user id): connections, token bucket, decision in force. */
    public static final String RATE_LIMIT_USERS = "ratelimit-users";

    /** Wall-clock punctuator of the room topology that drops decisions older than {@link #DECISION_RETENTION}. */
    public static final String ROOM_DECISION_EXPIRY_PUNCTUATOR = "room-decision-expiry";

    /** How long a command's decision (and a clientMsgId's original ack) is remembered for resends and replays. */
    public static final Duration DECISION_RETENTION = Duration.ofHours(24);

    /** How often {@link #ROOM_DECISION_EXPIRY_PUNCTUATOR} runs. */
    public static final Duration DECISION_EXPIRY_INTERVAL = Duration.ofMinutes(10);
}
