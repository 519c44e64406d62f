/*
 * SioSocket owns one connected Socket.IO socket (default namespace) as a protocol-neutral
 * ClientConnection: replies become ACK packets ({success, data} / {success:false, error}) or, for
 * a request without an ack id, an "error" event; room events go out in their shared Socket.IO
 * encoding. It lives on an EngineSession, whose outbox carries its packets. Its identity comes from
 * the token of its CONNECT, or (CONNECT without a token) from its first auth event; refresh renews it.
 * Its vocabulary profile (chosen at the handshake) decides how events and replies are shown: a
 * request's ref carries the profile's reply tag ("join.7"), so a reply can also become an event
 * (room-joined, message-ack). With connection-state recovery it has a private session id (pid)
 * and keeps, per room, the last seq it was given, which SioRecovery saves on join, leave and close.
 */
package io.parley.edge.socketio;

import io.parley.contracts.auth.Identity;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.auth.TokenLifecycle;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.session.OutboundEvent;
import io.parley.edge.session.Subscriptions;
import io.parley.edge.vocab.Vocabularies;
import io.parley.edge.vocab.Vocabulary;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Thread-safe; every method only queues. */
final class SioSocket implements TokenLifecycle.Target {
    private final String connectionId;
    private volatile Identity identity;
    private volatile String userId;
    private final EngineSession engine;
    private final SocketIoEndpoint endpoint;
    private final Vocabulary vocabulary;
    private final Subscriptions subscriptions = new Subscriptions();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final long connectedAt = System.currentTimeMillis();
    private static final char TAG_SEPARATOR = '.';
    /** The private session id of connection-state recovery; null: not resumable (off, or a vocabulary profile). */
    private volatile String pid;
    /** Per room joined, the last seq this socket was given (recovery only); raised in place per event, no boxing. */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> lastSeqs =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile SioRecovery recovery;

    /** {@code identity} is null for a CONNECT without a token (it must send auth). */
    SioSocket(String connectionId, Identity identity, EngineSession engine, SocketIoEndpoint endpoint) {
        this(connectionId, identity, engine, endpoint, Vocabularies.DEFAULT);
    }

    /** As above, speaking {@code vocabulary}. */
    SioSocket(String connectionId, Identity identity, EngineSession engine, SocketIoEndpoint endpoint, Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.connectionId = connectionId;
        this.identity = identity;
        this.userId = identity == null ? null : identity.userId();
        this.engine = engine;
        this.endpoint = endpoint;
    }

    EngineSession engine() {
        return engine;
    }

    /** Makes the socket resumable under {@code pid}, starting from {@code rooms} (a recovered session's) or none. */
    void resumable(String pid, SioRecovery recovery, java.util.Map<String, Long> rooms) {
        this.lastSeqs.clear();
        rooms.forEach((room, seq) -> this.lastSeqs.put(room, new java.util.concurrent.atomic.AtomicLong(seq)));
        this.recovery = recovery;
        this.pid = pid;
    }

    String pid() {
        return pid;
    }

    /** Per room, the last seq this socket was given (a copy). */
    java.util.Map<String, Long> lastSeqs() {
        java.util.Map<String, Long> copy = new java.util.HashMap<>();
        lastSeqs.forEach((room, seq) -> copy.put(room, seq.get()));
        return java.util.Map.copyOf(copy);
    }

    @Override
    public void roomJoined(String roomId, long seq) {
        SioRecovery r = recovery;
        if (r != null) {
            lastSeqs.putIfAbsent(roomId, new java.util.concurrent.atomic.AtomicLong(seq)); // a recovered room keeps its position until its missed events are given
            r.changed(this);
        }
    }

    @Override
    public void roomLeft(String roomId) {
        SioRecovery r = recovery;
        if (r != null) {
            lastSeqs.remove(roomId);
            r.changed(this);
        }
    }

    @Override
    public String connectionId() { return connectionId; }

    @Override
    public String userId() { return userId; }

    @Override
    public Identity identity() { return identity; }

    @Override
    public void authenticated(Identity fresh) {
        boolean first = identity == null;
        identity = fresh;
        if (first) {
            userId = fresh.userId();
            endpoint.activate(this);
        }
    }

    @Override
    public void end(int closeCode, ErrorBody error) {
        endpoint.end(this, closeCode, error);
    }

    @Override
    public Subscriptions subscriptions() { return subscriptions; }

    Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public void reply(ServerReply reply) {
        if (!reply.ok() && reply.error() != null) {
            EdgeMetrics.current().error(reply.error().code());
        }
        if (!open.get()) {
            return;
        }
        String ref = reply.ref();
        int dot = ref == null ? -1 : ref.indexOf(TAG_SEPARATOR);
        String tag = dot < 0 ? null : ref.substring(0, dot);
        Long ackId = ackIdOf(dot < 0 ? ref : ref.substring(dot + 1));
        if (ackId != null) {
            endpoint.send(engine, EngineCodec.message(reply.ok() ? SioCodec.ackOk(ackId, reply.data())
                    : SioCodec.ackError(ackId, reply.error())));
        }
        List<Vocabulary.Emission> events = tag == null ? List.of() : vocabulary.reply(tag, reply);
        for (Vocabulary.Emission event : events) {
            endpoint.send(engine, EngineCodec.message(SioCodec.event(event.event(), event.args())));
        }
        if (ackId == null && events.isEmpty() && !reply.ok() && reply.error() != null) {
            endpoint.send(engine, EngineCodec.message(SioCodec.event(Protocol.ERROR, Json.tree(reply.error()))));
        }
        // An ok reply to a request without an ack callback and without a reply event has nowhere to go.
    }

    /** The ref a request travels with: the ack id, prefixed by the profile's reply tag when it has one. */
    static String ref(String tag, Long ackId) {
        if (tag == null) {
            return ackId == null ? null : Long.toString(ackId);
        }
        return tag + TAG_SEPARATOR + (ackId == null ? "" : Long.toString(ackId));
    }

    @Override
    public void deliver(OutboundEvent event) {
        if (pid != null && event.roomId() != null && event.seq() > 0) {
            raiseLastSeq(event.roomId(), event.seq());
        }
        if (open.get()) {
            String text = event.socketIoText(vocabulary);
            if (!text.isEmpty()) {
                endpoint.send(engine, text);
            }
        }
    }

    /** The room's last seq becomes at least {@code seq} (a room not known yet starts at it). */
    private void raiseLastSeq(String roomId, long seq) {
        java.util.concurrent.atomic.AtomicLong last = lastSeqs.get(roomId);
        if (last == null) {
            last = lastSeqs.computeIfAbsent(roomId, room -> new java.util.concurrent.atomic.AtomicLong(seq));
        }
        long current;
        while ((current = last.get()) < seq && !last.compareAndSet(current, seq)) {
            Thread.onSpinWait();
        }
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    @Override
    public String protocol() { return "socketio"; }

    @Override
    public long connectedAt() { return connectedAt; }

    @Override
    public int queueDepth() { return engine.queueDepth(); }

    /** True for the one caller that closed it (who then cleans up). */
    boolean markClosed() {
        return open.compareAndSet(true, false);
    }

    private static Long ackIdOf(String ref) {
        if (ref == null || ref.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(ref);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
