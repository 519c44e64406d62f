/*
 * NativeEndpoint owns the native /ws endpoint of this node: it opens sessions (connection id,
 * registry, connect event; or, opened without a token, a pending session that must send auth),
 * runs every client frame through the local guards (size, frame rate), the envelope decoder and
 * the command parser into the CommandService (auth / refresh into the TokenLifecycle), answers
 * pings with pongs and breaks of RFC 6455 with their close codes, answers errors without ever
 * leaking an exception, and cleans a session up exactly once however it ends (close frame, error,
 * lost connection found by the reaper, failed send, slow consumer, token expiry, shutdown).
 */
package io.parley.edge.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.auth.Identity;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.auth.TokenLifecycle;
import io.parley.edge.auth.UpgradeAuthenticator;
import io.parley.edge.command.Command;
import io.parley.edge.command.CommandParser;
import io.parley.edge.command.CommandService;
import io.parley.edge.delivery.RoomIndex;
import io.parley.edge.guard.FrameRateGuard;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.ConnectionRegistry;
import io.parley.edge.socketio.Cors;
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

    /** RFC 6455 section 5.5: control frames carry at most this many payload bytes. */
    static final int MAX_CONTROL_PAYLOAD = 125;

    private final UpgradeAuthenticator authenticator;
    private final TokenLifecycle lifecycle;
    private final Cors origins;
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

    public NativeEndpoint(UpgradeAuthenticator authenticator, TokenLifecycle lifecycle, Cors origins,
                          CommandParser parser, CommandService commands,
                          ConnectionRegistry registry, RoomIndex index, Executor writers,
                          int maxFrameBytes, int maxFramesPerSecond, int sendQueueLimit) {
        this.authenticator = authenticator;
        this.lifecycle = lifecycle;
        this.origins = origins;
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
        return new TappedListener(new NativeListener(this));
    }

    ConnectionRegistry registry() {
        return registry;
    }

    UpgradeAuthenticator authenticator() {
        return authenticator;
    }

    Cors origins() {
        return origins;
    }

    /**
     * HTTP handler for {@code /ws} requests that were not upgraded (Helidon falls back to HTTP
     * routing when the upgrade is rejected): a browser origin not allowed gets 403; a refused or
     * missing token gets 401 with the reason; a valid token of a user or node at its connection
     * limit gets 503 CONNECTION_LIMIT with retryAfterMs; a valid token without an upgrade gets 426.
     */
    public void refusedUpgrade(ServerRequest request, ServerResponse response) {
        if (!origins.allowed(request.headers())) {
            response.status(Status.FORBIDDEN_403)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(Json.write(Map.of("error", ErrorBody.of(ErrorCode.AUTHORIZATION_FAILED,
                            "origin not allowed (PARLEY_CORS_ORIGINS)"))));
            return;
        }
        String profile = foreignProfile(request.prologue().query());
        if (profile != null) {
            response.status(Status.BAD_REQUEST_400)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(Json.write(Map.of("error", ErrorBody.of(ErrorCode.INVALID_MESSAGE, "/ws speaks only Parley's "
                            + "vocabulary (seed-004); profiles such as seed-001 and seed-002 are served on /socket.io/"))));
            return;
        }
        TokenVerifier.Result result = authenticator.authenticate(request.prologue(), request.headers());
        ConnectionRegistry.Admission full = result instanceof TokenVerifier.Verified verified
                ? registry.precheck(verified.identity().userId()) : null;
        if (full != null) {
            ErrorBody refusal = registry.refusal(full);
            response.status(Status.SERVICE_UNAVAILABLE_503)
                    .header(HeaderNames.RETRY_AFTER, String.valueOf(Math.max(1, refusal.retryAfterMs() / 1000)))
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(Json.write(Map.of("error", refusal)));
        } else if (result instanceof TokenVerifier.Rejected rejected) {
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

    /**
     * The vocabulary profile a /ws handshake asks for ({@code ?profile=} / {@code ?vocabulary=}) when
     * it is not Parley's own, else null: /ws speaks only the default vocabulary (the seeds' clients
     * are Socket.IO clients, and their multi-argument events have no /ws form), so such a request is
     * refused (400) rather than silently served another vocabulary.
     */
    static String foreignProfile(io.helidon.common.uri.UriQuery query) {
        for (String name : java.util.List.of("profile", "vocabulary")) {
            String value;
            try {
                value = query.first(name).orElse(null);
            } catch (RuntimeException e) {
                value = null;
            }
            if (value != null && io.parley.edge.vocab.Vocabularies.byName(value) != io.parley.edge.vocab.Vocabularies.DEFAULT) {
                return value;
            }
        }
        return null;
    }

    /** Opens a session; {@code identity} null: opened without a token, it must send auth in time. */
    NativeSession open(WsSession ws, Identity identity) {
        NativeSession session = new NativeSession(EventIds.next(), identity, this, ws, Thread.currentThread(),
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
        if (identity == null) {
            lifecycle.awaitAuthentication(session);
            LOG.debug("connection {} opened without a token: waiting for auth", session.connectionId());
        } else {
            synchronized (session) {
                activate(session);
            }
            if (session.isOpen()) { // else refused at the connection limit
                lifecycle.track(session);
            }
        }
        return session;
    }

    /**
     * The session is authenticated (at the upgrade or by its first auth): it becomes a connected
     * client, unless the node or its user is at the connection limit (then an error, then close
     * {@link io.parley.contracts.wire.CloseCodes#CONNECTION_LIMIT}). Holds its lock.
     */
    void activate(NativeSession session) {
        ConnectionRegistry.Admission admission = registry.tryAdd(session);
        if (admission != ConnectionRegistry.Admission.ADMITTED) {
            // Over a limit only known now (first-message auth, or a race past the upgrade's pre-check):
            // never connected, so cleanup publishes nothing for it.
            end(session, io.parley.contracts.wire.CloseCodes.CONNECTION_LIMIT, registry.refusal(admission));
            return;
        }
        commands.connected(session);
        commands.welcome(session);
        LOG.debug("connection {} opened for {}", session.connectionId(), session.userId());
    }

    /** Tells the client {@code error}, then closes with {@code closeCode} (token expired, auth timeout). */
    void end(NativeSession session, int closeCode, ErrorBody error) {
        session.reply(ServerReply.error(null, error));
        session.queue().closeAfterPending(closeCode, error.message());
        cleanup(session, error.message());
    }

    /** A ping: answered with a pong carrying the same payload (RFC 6455 section 5.5.2); over 125 bytes: 1002. */
    void onPing(NativeSession session, BufferData payload) {
        if (payload.available() > MAX_CONTROL_PAYLOAD) {
            protocolError(session, SendQueue.CloseCodes.PROTOCOL_ERROR, "control frame payload over 125 bytes");
            return;
        }
        byte[] bytes = new byte[payload.available()];
        payload.read(bytes);
        WsSession ws = session.ws();
        session.queue().writeNow(() -> ws.pong(BufferData.create(bytes)));
    }

    /** An unsolicited or answering pong: ignored, unless it breaks the control-frame limit. */
    void onPong(NativeSession session, BufferData payload) {
        if (payload.available() > MAX_CONTROL_PAYLOAD) {
            protocolError(session, SendQueue.CloseCodes.PROTOCOL_ERROR, "control frame payload over 125 bytes");
        }
    }

    /** Closes the connection at once with an RFC 6455 close code (1002, 1007): pending frames are dropped. */
    void protocolError(NativeSession session, int closeCode, String reason) {
        LOG.debug("connection {}: {} ({})", session.connectionId(), reason, closeCode);
        session.queue().closeNow(closeCode, reason);
        cleanup(session, reason);
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
                        case CommandParser.Valid valid when valid.command() instanceof Command.Authenticate auth ->
                                lifecycle.authenticate(session, ref, auth.token());
                        case CommandParser.Valid valid when session.identity() == null ->
                                session.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED,
                                        "not authenticated: send auth {token} first")));
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
            // A session that never authenticated, or was refused at the connection limit, was never connected.
            if (session.identity() != null && registry.remove(session)) {
                index.removeEverywhere(session);
                commands.disconnected(session, reason);
            }
        }
        lifecycle.forget(session);
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

    /**
    /**
     * Closes, with {@link io.parley.contracts.wire.CloseCodes#RECONNECT}, every connection whose id
     * sorts below {@code bootId} (those the processors dropped when this node's lease expired), and
     * cleans each up; returns how many.
     */
    public int closeBefore(String bootId, String reason) {
        int closed = 0;
        for (ClientConnection connection : registry.snapshot()) {
            if (connection instanceof NativeSession session && session.connectionId().compareTo(bootId) < 0) {
                session.queue().close(io.parley.contracts.wire.CloseCodes.RECONNECT, reason);
                if (cleanup(session, reason)) {
                    closed++;
                }
            }
        }
        return closed;
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
