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
     * user) the connections, the read position and, while typing, the typing state; per created room its settings (deleted mark, idle expiry), per member the role and muted flag, and
     * the idle timer of a room with one; per (room, user, clientMsgId) the original ack; per (room,
     * message id) the message's seq (for mark-read by message ids, kept as long as its decision); per
     * command the decision already taken; one filing mark (v|decisions). One store, so one changelog partition keeps the write order that
     * crash safety relies on (see {@code room.RoomProcessor}).
     */
    public static final String ROOM_STATE = "room-state";

    /** The rate-limit topology's store (key: user id): connections, token bucket, decision in force. */
    public static final String RATE_LIMIT_USERS = "ratelimit-users";

    /** Wall-clock punctuator of the room topology that drops decisions older than {@link #DECISION_RETENTION}. */
    public static final String ROOM_DECISION_EXPIRY_PUNCTUATOR = "room-decision-expiry";

    /** Wall-clock punctuator of the room topology that stops typists whose typing-start was not refreshed in time. */
    public static final String ROOM_TYPING_EXPIRY_PUNCTUATOR = "room-typing-expiry";

    /** How often {@link #ROOM_TYPING_EXPIRY_PUNCTUATOR} runs (the automatic stop is late by at most this). */
    public static final Duration TYPING_EXPIRY_INTERVAL = Duration.ofMillis(100);

    /**
     * Wall-clock punctuator of the room topology that deletes rooms created with
     * {@code expireAfterIdleMs} once that long passed since their last message (a room-deleted
     * decision, reason idle; timers are the {@code e|} keys of {@link #ROOM_STATE}).
     */
    public static final String ROOM_IDLE_EXPIRY_PUNCTUATOR = "room-idle-expiry";

    /** How often {@link #ROOM_IDLE_EXPIRY_PUNCTUATOR} runs (a room is deleted late by at most this). */
    public static final Duration ROOM_IDLE_EXPIRY_INTERVAL = Duration.ofSeconds(1);

    /** How long a command's decision (and a clientMsgId's original ack) is remembered for resends and replays. */
    public static final Duration DECISION_RETENTION = Duration.ofHours(24);

    /** How often {@link #ROOM_DECISION_EXPIRY_PUNCTUATOR} runs. */
    public static final Duration DECISION_EXPIRY_INTERVAL = Duration.ofMinutes(10);

    /**
     * The presence stage's store (see {@code presence.PresenceKeys}): per user the presence state
     * (connections with their node, chosen status, custom text, rooms, last seen, what was last
     * published); a time-ordered timer index (grace periods, idle-away); a node -> connections index.
     */
    public static final String PRESENCE_STATE = "presence-state";

    /**
     * The node-lease stage's store (key: edge node id): slot, the log-append time of its last
     * heartbeat, its lease, its boot id, whether (and by which tick) it expired.
     */
    public static final String EDGE_LEASES = "edge-leases";

    /** Wall-clock punctuator of the presence stage that fires due timers (grace period over, idle -> away). */
    public static final String PRESENCE_TIMER_PUNCTUATOR = "presence-timers";

    /** Wall-clock punctuator of the presence stage that rewrites the Redis view when its marker is missing. */
    public static final String PRESENCE_VIEW_PUNCTUATOR = "presence-view-check";

    /** How often {@link #PRESENCE_VIEW_PUNCTUATOR} checks the Redis marker. */
    public static final Duration PRESENCE_VIEW_CHECK_INTERVAL = Duration.ofSeconds(1);

    /**
     * Wall-clock punctuator of the node-lease stage that appends a tick to edge-nodes (every
     * {@code PARLEY_LEASE_TICK_MS}); leases expire when a tick is read, never on the wall clock.
     */
    public static final String LEASE_TICK_PUNCTUATOR = "edge-lease-tick";

    /** Internal topics (repartitions; names are part of the topic names, like stores). */
    public static final String PRESENCE_FANOUT_TOPIC = "presence-fanout";
    public static final String PRESENCE_NODE_EXPIRY_TOPIC = "presence-node-expiry";
    public static final String ROOM_NODE_EXPIRY_TOPIC = "room-node-expiry";
}
