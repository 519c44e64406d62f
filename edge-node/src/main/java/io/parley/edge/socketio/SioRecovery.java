/*
 * SioRecovery owns Socket.IO connection-state recovery at this node, the stock way (Socket.IO
 * v4.6+): a private session id (pid) in the CONNECT reply; the offset "<roomId>:<seq>" appended to
 * each room event (OutboundEvent, one encoding per node); the socket's rooms and last seqs saved in
 * Redis (SioSessions) on join, leave and close; a CONNECT whose auth carries {pid, offset} of a
 * saved session of the same user gets the same pid back (the client's socket.recovered is true)
 * and every room resumed from its last seq (the offset's room from the offset: what the client
 * really got) through the same recovery as /ws resume.
 */
package io.parley.edge.socketio;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Thread-safe. */
final class SioRecovery {
    /** The reason a socket's cleanup is given for the client's own DISCONNECT: its session is forgotten. */
    static final String CLIENT_DISCONNECT = "client disconnect";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SioSessions store;
    private final long ttlMs;

    SioRecovery(SioSessions store, long ttlMs) {
        this.store = store;
        this.ttlMs = ttlMs;
    }

    static SioRecovery off() {
        return new SioRecovery(SioSessions.NONE, 0);
    }

    boolean enabled() {
        return ttlMs > 0;
    }

    /** A new private session id: 144 random bits, URL-safe (a capability: only its user can use it). */
    String newPid() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    CompletionStage<SioSessions.Saved> load(String pid) {
        return store.load(pid);
    }

    /** The socket joined or left a room: its session is saved as it is now. */
    void changed(SioSocket socket) {
        String pid = socket.pid();
        if (pid != null && socket.isOpen()) {
            store.save(pid, new SioSessions.Saved(socket.userId(), socket.lastSeqs()), ttlMs);
        }
    }

    /** The socket closed: its session is kept for {@code ttlMs} to be recovered, unless the client disconnected on purpose. */
    void closed(SioSocket socket, String reason) {
        String pid = socket.pid();
        if (pid == null) {
            return;
        }
        if (CLIENT_DISCONNECT.equals(reason)) {
            store.delete(pid);
        } else {
            store.save(pid, new SioSessions.Saved(socket.userId(), socket.lastSeqs()), ttlMs);
        }
    }

    /**
     * The rooms to resume: the saved ones, the offset's room (if saved) from the offset's seq, the
     * last event the client really received (the saved seq may count events lost in flight).
     */
    static Map<String, Long> withOffset(Map<String, Long> saved, String offset) {
        Map<String, Long> rooms = new LinkedHashMap<>(saved);
        if (offset != null) {
            int colon = offset.lastIndexOf(':');
            if (colon > 0) {
                String room = offset.substring(0, colon);
                try {
                    long seq = Long.parseLong(offset.substring(colon + 1));
                    if (seq >= 0 && rooms.containsKey(room)) {
                        rooms.put(room, seq);
                    }
                } catch (NumberFormatException e) {
                    // not one of ours: the saved seqs stand
                }
            }
        }
        return rooms;
    }
}
