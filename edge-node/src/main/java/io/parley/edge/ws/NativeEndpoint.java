/*
 * NativeEndpoint owns the native /ws endpoint of this node: it opens sessions (connection id,
 * registry, connect event), runs every client frame through the local guards (size, frame rate),
 * the envelope decoder and the command parser into the CommandService, answers errors without
 * ever leaking an exception, and cleans a session up exactly once however it ends (close frame,
 * error, lost connection found by the reaper, failed send, slow consumer, shutdown).
 */
package io.parley.edge.ws;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.auth.UpgradeAuthenticator;
import io.parley.edge.command.CommandParser;
import io.parley.edge.command.CommandService;
import io.parley.edge.delivery.RoomIndex;
import io.parley.edge.guard.FrameRateGuard;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.ConnectionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/** Thread-safe; one per node. */
public final class NativeEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(NativeEndpoint.class);
    /** A session asked to close that is still connected after this is cut off. */
    static final long CLOSE_GRACE_NANOS = 5_000_000_000L;

    private final UpgradeAuthenticator authenticator;
    private final CommandParser parser;
    private final CommandService commands;
    private final ConnectionRegistry registry;
    private final RoomIndex index;
    private final Executor writers;
    private final int maxFrameBytes;
    private final int maxFramesPerSecond;
    private final int sendQueueLimit;
    /** Cleaned-up sessions whose TCP connection may still be open. */
    private final Set<NativeSession> closing = ConcurrentHashMap.newKeySet();

    public NativeEndpoint(UpgradeAuthenticator authenticator, CommandParser parser, CommandService commands,
                          ConnectionRegistry registry, RoomIndex index, Executor writers,
                          int maxFrameBytes, int maxFramesPerSecond, int sendQueueLimit) {
        this.authenticator = authenticator;
        this.parser = parser;
        this.commands = commands;
        this.registry = registry;
        this.index = index;
        this.writers = writers;
        this.maxFrameBytes = maxFrameBytes;
        this.maxFramesPerSecond = maxFramesPerSecond;
        this.sendQueueLimit = sendQueueLimit;
    }

    /** A new listener per connection (it holds the connection's identity between upgrade and open). */
    public WsListener newListener() {
        return new NativeListener(this);
    }

    UpgradeAuthenticator authenticator() {
        return authenticator;
    }

    /**
     * HTTP handler for {@code /ws} requests that were not upgraded: a refused token (Helidon falls
     * back to HTTP routing when the upgrade is rejected) gets 401 with the reason; a valid token
     * without an upgrade gets 426.
     */
    public void refusedUpgrade(ServerRequest request, ServerResponse response) {
        TokenVerifier.Result result = authenticator.authenticate(request.prologue(), request.headers());
        if (result instanceof TokenVerifier.Rejected rejected) {
            response.status(Status.UNAUTHORIZED_401)
                    .header(HeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(Json.write(Map.of("error", ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED, rejected.reason()))));
        } else {
            response.status(Status.UPGRADE_REQUIRED_426)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(Json.write(Map.of("error", ErrorBody.of(ErrorCode.INVALID_MESSAGE, "WebSocket upgrade required"))));
        }
    }

    NativeSession open(WsSession ws, String userId) {
        NativeSession session = new NativeSession(EventIds.next(), userId, ws, Thread.currentThread(),
                new FrameRateGuard(maxFramesPerSecond, System.nanoTime()));
        session.attach(new SendQueue(sendQueueLimit, SendQueue.Sink.of(ws), new SendQueue.Events() {
            @Override
            public void overflow(SendQueue queue) {
                LOG.info("connection {} of {} closed: slow consumer", session.connectionId(), session.userId());
                cleanup(session, "slow consumer");
            }

            @Override
            public void sendFailed(SendQueue queue, Exception failure) {
                LOG.debug("connection {}: send failed: {}", session.connectionId(), failure.toString());
                if (cleanup(session, "send failed")) {
                    session.terminate();
                }
            }
        }, writers));
        registry.add(session);
        commands.connected(session);
        LOG.debug("connection {} opened for {}", session.connectionId(), userId);
        return session;
    }

    void onText(NativeSession session, String fragment, boolean last) {
        if (!session.isOpen()) {
            return; // closed by the node (slow consumer, shutdown): its frames are ignored
        }
        String ref = null;
        try {
            String text = session.reassemble(fragment, last, maxFrameBytes);
            if (text == null) {
                return; // more fragments to come
            }
            if (text == NativeSession.OVERSIZED || NativeFrames.utf8Length(text) > maxFrameBytes) {
                session.guard.tryAcquire(System.nanoTime());
                session.reply(ServerReply.error(null, ErrorBody.of(ErrorCode.PAYLOAD_TOO_LARGE,
                        "frame larger than " + maxFrameBytes + " bytes")));
                return;
            }
            NativeFrames.Decoded decoded = NativeFrames.decode(text);
            ref = switch (decoded) {
                case NativeFrames.Request request -> request.ref();
                case NativeFrames.Malformed malformed -> malformed.ref();
            };
            long retryAfter = session.guard.tryAcquire(System.nanoTime());
            if (retryAfter > 0) {
                session.reply(ServerReply.error(ref, new ErrorBody(ErrorCode.RATE_LIMIT_EXCEEDED,
                        "more than " + maxFramesPerSecond + " frames per second", retryAfter)));
                return;
            }
            switch (decoded) {
                case NativeFrames.Malformed malformed -> session.reply(ServerReply.error(ref, malformed.error()));
                case NativeFrames.Request request -> {
                    switch (parser.parse(request.op(), request.data())) {
                        case CommandParser.Invalid invalid -> session.reply(ServerReply.error(ref, invalid.error()));
                        case CommandParser.Valid valid -> {
                            synchronized (session) {
                                if (session.isOpen()) {
                                    commands.handle(session, ref, valid.command());
                                }
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("frame of connection {} failed", session.connectionId(), e);
            session.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.INTERNAL_ERROR, "internal error")));
        }
    }

    void onBinary(NativeSession session) {
        session.guard.tryAcquire(System.nanoTime());
        session.reply(ServerReply.error(null, ErrorBody.of(ErrorCode.INVALID_MESSAGE, "binary frames are not supported")));
    }

    void closedByPeer(NativeSession session, int status) {
        session.queue().stop();
        cleanup(session, "client closed (" + status + ")");
    }

    void failed(NativeSession session, Throwable t) {
        LOG.debug("connection {} failed: {}", session.connectionId(), t.toString());
        session.queue().stop();
        cleanup(session, "connection error");
    }

    /**
     * Removes the session from the registry and every room index, and publishes its leaves and
     * disconnect. Runs once per session; true for the call that did it. Holds the session's lock,
     * as the reader does while it publishes, so no command of a session follows its disconnect.
     */
    boolean cleanup(NativeSession session, String reason) {
        synchronized (session) {
            if (!session.markClosed()) {
                return false;
            }
            registry.remove(session);
            index.removeEverywhere(session);
            commands.disconnected(session, reason);
        }
        if (session.readerAlive()) {
            closing.add(session);
        }
        LOG.debug("connection {} of {} closed: {}", session.connectionId(), session.userId(), reason);
        return true;
    }

    /**
     * The reaper's periodic pass: cleans up sessions whose connection ended without onClose
     * (Helidon's idle timeout, a reset, EOF: Helidon does not call onClose for those), and cuts off
     * closed sessions whose peer is still connected after the grace period.
     */
    public void reap(long nowNanos) {
        for (ClientConnection connection : registry.snapshot()) {
            if (connection instanceof NativeSession session && !session.readerAlive()) {
                session.queue().abort();
                cleanup(session, "connection lost");
            }
        }
        closing.removeIf(session -> {
            if (!session.readerAlive()) {
                return true;
            }
            if (nowNanos - session.closingSinceNanos() > CLOSE_GRACE_NANOS) {
                session.terminate();
                return true;
            }
            return false;
        });
    }

    /**
     * Closes every connection with 1001 "going away" (graceful shutdown: the client reconnects to
     * another node) after what is queued for it, and cleans it up; returns the sessions.
     */
    public List<? extends ClientConnection> closeAll(String reason) {
        List<NativeSession> sessions = registry.snapshot().stream()
                .filter(NativeSession.class::isInstance).map(NativeSession.class::cast).toList();
        for (NativeSession session : sessions) {
            session.queue().closeAfterPending(SendQueue.CloseCodes.GOING_AWAY, reason);
            cleanup(session, "shutdown");
        }
        return sessions;
    }

    /** An operator's disconnect (admin API): close frame 1008 after what is queued; false if not a /ws connection. */
    public boolean disconnect(ClientConnection connection, String reason) {
        if (!(connection instanceof NativeSession session)) {
            return false;
        }
        session.queue().closeAfterPending(SendQueue.CloseCodes.POLICY_VIOLATION, reason);
        cleanup(session, "disconnected by operator");
        return true;
    }

    /** True when every given session's close frame has been written (or given up on). */
    public static boolean allFlushed(List<? extends ClientConnection> sessions) {
        for (ClientConnection connection : sessions) {
            if (connection instanceof NativeSession session && !session.queue().isFinished()) {
                return false;
            }
        }
        return true;
    }

}
