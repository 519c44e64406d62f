/*
 * PresenceWork owns the mutable working copy of one user's presence state while the presence
 * processor handles one of their events or timers (read from, and written back as, a
 * PresenceEntry.State).
 */
package io.parley.processors.presence;

import io.parley.contracts.wire.Protocol;
import io.parley.processors.presence.PresenceEntry.Conn;
import io.parley.processors.presence.PresenceEntry.State;

import java.util.Map;
import java.util.TreeMap;

/** The mutable working copy of a user's state. */
final class PresenceWork {
    final String userId;
    final Map<String, Conn> connections;
    String chosen;
    String custom;
    final Map<String, Boolean> rooms;
    long lastActive;
    long lastSeen;
    long offlineAt;
    String timerKey;
    String status;
    String shownCustom;
    String username;

    PresenceWork(String userId, State s) {
        this.userId = userId;
        this.connections = s == null ? new TreeMap<>() : new TreeMap<>(s.connections());
        this.chosen = s == null ? Protocol.ONLINE : s.chosen();
        this.custom = s == null ? null : s.custom();
        this.rooms = s == null ? new TreeMap<>() : new TreeMap<>(s.rooms());
        this.lastActive = s == null ? 0 : s.lastActive();
        this.lastSeen = s == null ? 0 : s.lastSeen();
        this.offlineAt = s == null ? 0 : s.offlineAt();
        this.timerKey = s == null ? null : s.timerKey();
        this.status = s == null ? Protocol.OFFLINE : s.status();
        this.shownCustom = s == null ? null : s.shownCustom();
        this.username = s == null ? null : s.username();
    }

    State toState() {
        return new State(connections, chosen, custom, rooms, lastActive, lastSeen, offlineAt, timerKey, status, shownCustom, username);
    }
}
