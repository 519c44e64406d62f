/*
 * SocketIoEndpoint owns /socket.io/ on this node and the life of its Engine.IO sessions: the
 * sessions by sid, their heartbeat (server pings, late pongs close the session) and CONNECT
 * deadline, activation and end of their Socket.IO socket, and how a session ends (cleanup of its
 * socket: leaves and disconnect published; what its transport is told), reaping, drain and the
 * lease-expiry reset. The transports are SioPolling (HTTP long-polling) and SioWebsocket
 * (WebSocket, direct or as an upgrade); what packets mean is SioPackets. Bad input always gets an
 * Engine.IO HTTP error, a CONNECT_ERROR, an error ack or an "error" event; no exception reaches a
 * client and one session's failure never touches another.
 */
package io.parley.edge.socketio;

import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.websocket.WsListener;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.auth.TokenLifecycle;
import io.parley.edge.auth.UpgradeAuthenticator;
import io.parley.edge.command.CommandParser;
import io.parley.edge.command.CommandService;
import io.parley.edge.delivery.RoomIndex;
import io.parley.edge.guard.FrameRateGuard;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.ConnectionRegistry;
import io.parley.edge.ws.SendQueue;
import io.parley.edge.ws.TappedListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Thread-safe; one per node. */
public final class SocketIoEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SocketIoEndpoint.class);
    static final int CLOSE_NORMAL = 1000;
    /** A closed polling session keeps its last packets and the close packet this long for the client's next GET. */
    static final long CLOSED_SESSION_LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final int CLOSE_PROTOCOL_ERROR = 1002;
    static final int CLOSE_TOO_BIG = 1009;

    /** How a session ends, which decides what its transport is told. */
    enum Ending { PEER_GONE, SERVER_CLOSE, SHUTDOWN }

    private final SocketIoConfig config;
    private final TokenLifecycle lifecycle;
    private final CommandService commands;
    private final ConnectionRegistry registry;
    private final RoomIndex index;
    private final Executor writers;
    private final int maxFramesPerSecond;
    private final int sendQueueLimit;
    private final Cors cors;
    private final ConcurrentHashMap<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("parley-sio-timer").daemon(true).unstarted(r));
    private final SioPolling polling;
    private final SioWebsocket websocket;
    private final SioPackets packets;
    private volatile SioRecovery recovery = SioRecovery.off();

    public SocketIoEndpoint(SocketIoConfig config, UpgradeAuthenticator authenticator, TokenLifecycle lifecycle,
                            CommandParser parser, CommandService commands, ConnectionRegistry registry, RoomIndex index,
                            Executor writers, int maxFrameBytes, int maxFramesPerSecond, int sendQueueLimit) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.commands = commands;
        this.registry = registry;
        this.index = index;
        this.writers = writers;
        this.maxFramesPerSecond = maxFramesPerSecond;
        this.sendQueueLimit = sendQueueLimit;
        this.cors = new Cors(config.corsOrigins());
        this.polling = new SioPolling(this);
        this.websocket = new SioWebsocket(this);
        this.packets = new SioPackets(this, authenticator, lifecycle, parser, commands, maxFrameBytes, maxFramesPerSecond);
    }

    /** Engine.IO sessions open now (connected Socket.IO sockets are in the ConnectionRegistry). */
    public int sessionCount() {
        return sessions.size();
    }

    SocketIoConfig config() {
        return config;
    }

    Cors cors() {
        return cors;
    }

    ConcurrentHashMap<String, EngineSession> sessions() {
        return sessions;
    }

    Executor writers() {
        return writers;
    }

    int sendQueueLimit() {
        return sendQueueLimit;
    }

    SioPackets packets() {
        return packets;
    }

    /**
     * Turns connection-state recovery on: sessions are kept in {@code sessions} for {@code ttlMs}
     * after their socket closes (0: off).
     */
    public void useRecovery(SioSessions sessions, long ttlMs) {
        this.recovery = new SioRecovery(sessions, ttlMs);
    }

    SioRecovery recovery() {
        return recovery;
    }

    /** The vocabulary profile a handshake names ({@code ?profile=seed-001} or {@code ?vocabulary=}), or null. */
    static String profileOf(UriQuery query) {
        return SioPolling.profileOf(query);
    }

    /** Every HTTP request to /socket.io/ that is not a WebSocket upgrade (GET, POST, OPTIONS): see {@link SioPolling}. */
    public void handle(ServerRequest request, ServerResponse response) {
        polling.handle(request, response);
    }

    /** A new listener per WebSocket connection to /socket.io/. */
    public WsListener newListener() {
        return new TappedListener(new SioWsListener(websocket));
    }

    // ---------------------------------------------------------------- session lifecycle


    void startTimers(EngineSession session) {
        timer.schedule(() -> ping(session), config.pingIntervalMs(), TimeUnit.MILLISECONDS);
        timer.schedule(() -> connectDeadline(session), config.connectTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    private void ping(EngineSession session) {
        try {
            long ping = session.pingSent();
            if (ping < 0) {
                return;
            }
            send(session, String.valueOf(EngineCodec.PING));
            timer.schedule(() -> {
                if (session.pongOverdue(ping)) {
                    close(session, "ping timeout", Ending.SERVER_CLOSE);
                }
            }, config.pingTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.error("ping of session {} failed", session.sid, e);
        }
    }

    private void connectDeadline(EngineSession session) {
        try {
            if (!session.isClosed() && !session.everConnected()) {
                send(session, EngineCodec.message(SioCodec.connectError(SioCodec.DEFAULT_NAMESPACE,
                        ErrorCode.AUTH_TIMEOUT + ": no CONNECT within " + config.connectTimeoutMs() + " ms",
                        ErrorBody.of(ErrorCode.AUTH_TIMEOUT, "no CONNECT with auth within " + config.connectTimeoutMs() + " ms"))));
                close(session, "no CONNECT in time", Ending.SERVER_CLOSE);
            }
        } catch (RuntimeException e) {
            LOG.error("connect deadline of session {} failed", session.sid, e);
        }
    }

    /** Queues a packet for the session; a full polling outbox closes the session (slow consumer). */
    void send(EngineSession session, String packet) {
        if (session.send(packet) == EngineSession.Sent.OVERFLOW) {
            LOG.info("Socket.IO session {} closed: slow consumer", session.sid);
            close(session, "slow consumer", Ending.SERVER_CLOSE);
        }
    }


    /** The next ping of a session whose pong arrived. */
    void schedulePing(EngineSession session) {
        timer.schedule(() -> ping(session), config.pingIntervalMs(), TimeUnit.MILLISECONDS);
    }

    /** The socket is authenticated (at CONNECT or by its first auth event): it becomes a connected client. Holds its lock. */
    void activate(SioSocket socket) {
        registry.add(socket);
        commands.connected(socket);
        commands.welcome(socket); // online-users: asynchronous (Redis), so after the CONNECT packet in practice; the client buffers events before it anyway
        LOG.debug("Socket.IO socket {} connected for {} (session {})", socket.connectionId(), socket.userId(), socket.engine().sid);
    }

    /**
     * Token expired or no auth in time: the client is told with an "error" event, then a Socket.IO
     * DISCONNECT (the client does not reconnect by itself: "io server disconnect"), and the
     * session closes (on WebSocket with {@code closeCode}).
     */
    void end(SioSocket socket, int closeCode, ErrorBody error) {
        EngineSession session = socket.engine();
        send(session, EngineCodec.message(SioCodec.event(Protocol.ERROR, Json.tree(error))));
        send(session, EngineCodec.message(SioCodec.disconnect()));
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            queue.closeAfterPending(closeCode, error.message());
        }
        close(session, error.message(), Ending.SERVER_CLOSE);
    }


    // ---------------------------------------------------------------- ending

    /**
     * Ends a session once: removes it, cleans up its socket (leaves and disconnect published), and
     * tells the transport: a waiting GET answers a close packet; a WebSocket gets a close frame
     * (1001 on shutdown) unless the peer is already gone.
     */
    void close(EngineSession session, String reason, Ending ending) {
        if (!session.markClosed()) {
            return;
        }
        if (session.transport() == EngineSession.Transport.WEBSOCKET) {
            sessions.remove(session.sid, session);
        }
        // A polling session stays findable until a GET has been told "close" (or the reaper finds no GET waiting).
        SioSocket socket = session.socket();
        if (socket != null) {
            cleanup(socket, reason);
        }
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            switch (ending) {
                case PEER_GONE -> queue.stop();
                case SERVER_CLOSE -> queue.closeAfterPending(CLOSE_NORMAL, reason.length() > 100 ? reason.substring(0, 100) : reason);
                case SHUTDOWN -> queue.closeAfterPending(SendQueue.CloseCodes.GOING_AWAY, "going away");
            }
        }
        LOG.debug("Socket.IO session {} closed: {}", session.sid, reason);
    }

    /** Removes a socket from the registry and every room index and publishes its leaves and disconnect, once. */
    void cleanup(SioSocket socket, String reason) {
        synchronized (socket) {
            if (!socket.markClosed()) {
                return;
            }
            if (socket.identity() != null) { // a socket that never authenticated was never connected
                registry.remove(socket);
                index.removeEverywhere(socket);
                commands.disconnected(socket, reason);
                recovery.closed(socket, reason);
            }
        }
        lifecycle.forget(socket);
        LOG.debug("Socket.IO socket {} of {} closed: {}", socket.connectionId(), socket.userId(), reason);
    }

    /** The reaper's pass: sessions whose WebSocket reader died without onClose, and closed polling sessions. */
    public void reap() {
        for (EngineSession session : sessions.values()) {
            if (session.isClosed()) {
                if (session.isFlushed() || session.closedLongerThan(CLOSED_SESSION_LINGER_NANOS)) {
                    sessions.remove(session.sid, session);
                }
            } else if (session.transport() == EngineSession.Transport.WEBSOCKET && session.wsReaderLost()) {
                SendQueue queue = session.wsQueue();
                if (queue != null) {
                    queue.abort();
                }
                close(session, "connection lost", Ending.PEER_GONE);
            }
        }
    }

    /** Graceful shutdown: every session is closed (WebSocket 1001, polling a close packet); the client reconnects elsewhere. */
    public void closeAll() {
        for (EngineSession session : List.copyOf(sessions.values())) {
            close(session, "shutdown", Ending.SHUTDOWN);
        }
    }

    /**
     * An operator's disconnect (admin API): the socket's session is closed (WebSocket: a close
     * frame after what is queued; polling: a close packet); false if not a Socket.IO connection.
     */
    public boolean disconnect(ClientConnection connection, String reason) {
        if (!(connection instanceof SioSocket socket)) {
            return false;
        }
        close(socket.engine(), reason, Ending.SERVER_CLOSE);
        return true;
    }

    /**
     * Closes the transport of every session whose socket id sorts below {@code bootId} (the
     * processors dropped them when this node's lease expired) as on shutdown (WebSocket 1001, a
     * close packet to polling), so the stock client reconnects by itself; returns how many.
     */
    public int closeBefore(String bootId, String reason) {
        int closed = 0;
        for (EngineSession session : List.copyOf(sessions.values())) {
            SioSocket socket = session.socket();
            if (socket != null && socket.connectionId().compareTo(bootId) < 0 && !session.isClosed()) {
                close(session, reason, Ending.SHUTDOWN);
                closed++;
            }
        }
        return closed;
    }

    /** True when every session's goodbye was written (or given up on). */
    public boolean allFlushed() {
        for (EngineSession session : sessions.values()) {
            if (!session.isFlushed()) {
                return false;
            }
        }
        return true;
    }

    public void stop() {
        timer.shutdownNow();
        sessions.clear();
    }

    EngineSession newSession(String handshakeToken, EngineSession.Transport transport) {
        return new EngineSession(EventIds.next(), handshakeToken, transport, sendQueueLimit, config.maxPayload(),
                new FrameRateGuard(maxFramesPerSecond, System.nanoTime()));
    }
}
