/*
 * PresenceEntry owns the shapes of the values in the presence-state store: a user's presence
 * state, and the markers of the timer and node indexes (their keys carry the information).
 */
package io.parley.processors.presence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.contracts.json.JsonSerde;

import java.util.Map;

@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
        @JsonSubTypes.Type(value = PresenceEntry.State.class, name = "state"),
        @JsonSubTypes.Type(value = PresenceEntry.Mark.class, name = "mark")})
public sealed interface PresenceEntry {

    static JsonSerde<PresenceEntry> serde() {
        return new JsonSerde<>(PresenceEntry.class);
    }

    /**
     * One user's presence.
     *
     * @param connections connection id -> the edge node holding it
     * @param chosen      the status the user chose (online, away, busy, dnd)
     * @param custom      the custom status text, or null
     * @param rooms       room id -> true while the user is a member (from the first join until
     *                    leave-room / remove-member, whatever the connections); false (states of
     *                    before): left by a disconnect, still told about the user's going offline (then dropped)
     * @param lastActive  wall-clock ms of the last activity (connect, message, presence change)
     * @param lastSeen    wall-clock ms the user was last connected and active
     * @param offlineAt   when the grace period ends (no connection left), 0 if none runs
     * @param timerKey    the key of the user's pending timer, or null
     * @param status      the status last published (offline if never)
     * @param shownCustom the custom text last published
     * @param username    the display name of the user's latest connection's token, or null (the user id)
     */
    record State(Map<String, Conn> connections, String chosen, String custom, Map<String, Boolean> rooms,
                 long lastActive, long lastSeen, long offlineAt, String timerKey, String status,
                 String shownCustom, String username) implements PresenceEntry {}

    record Conn(String edgeNodeId, int slot) {}

    /** An index entry: the key says it all. */
    record Mark(int slot) implements PresenceEntry {}
}
