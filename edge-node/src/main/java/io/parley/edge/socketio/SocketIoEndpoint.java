/*
 * SocketIoEndpoint owns /socket.io/ on this node: Engine.IO v4 sessions by sid over HTTP
 * long-polling (GET/POST) and WebSocket (direct, or as an upgrade of a polling session), the
 * heartbeat (server pings, late pongs close the session), maxPayload, CORS, and Socket.IO v5 on
 * top: CONNECT with the JWT in the auth payload (or without one, then an auth event within the
 * auth timeout; refresh renews the token; both via the TokenLifecycle), EVENTs turned into the same validated Commands as
 * /ws and handed to the same CommandService, replies as ACKs, room events from the same delivery
 * path. Bad input always gets an Engine.IO HTTP error, a CONNECT_ERROR, an error ack or an "error"
 * event; no exception reaches a client and one session's failure never touches another.
 */
package io.parley.edge.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.wire.AuthProtocol;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.auth.TokenLifecycle;
import io.parley.edge.auth.UpgradeAuthenticator;
import io.parley.edge.command.Command;
import io.parley.edge.command.CommandParser;
import io.parley.edge.command.CommandService;
import io.parley.edge.delivery.RoomIndex;
import io.parley.edge.guard.FrameRateGuard;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.ConnectionRegistry;
import io.parley.edge.vocab.Vocabularies;
import io.parley.edge.vocab.Vocabulary;
import io.parley.edge.ws.NativeFrames;
import io.parley.edge.ws.SendQueue;
import io.parley.edge.ws.TappedListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Thread-safe; one per node. */
public final class SocketIoEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SocketIoEndpoint.class);
    /** Commands that name one room also accept the bare room id: {@code emit('join-room', roomId, ack)}. */
    static final Set<String> ROOM_ARGUMENT_EVENTS = Set.of(Protocol.JOIN_ROOM, Protocol.LEAVE_ROOM,
            Protocol.TYPING_START, Protocol.TYPING_STOP, Protocol.GET_ONLINE_USERS, "get-history", "delete-room");
    static final int CLOSE_NORMAL = 1000;
    /** A closed polling session keeps its last packets and the close packet this long for the client's next GET. */
    static final long CLOSED_SESSION_LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final int CLOSE_PROTOCOL_ERROR = 1002;
    static final int CLOSE_TOO_BIG = 1009;

    /** How a session ends, which decides what its transport is told. */
    enum Ending { PEER_GONE, SERVER_CLOSE, SHUTDOWN }

    private final SocketIoConfig config;
    private final UpgradeAuthenticator authenticator;
    private final TokenLifecycle lifecycle;
    private final CommandParser parser;
    private final CommandService commands;
    private final ConnectionRegistry registry;
    private final RoomIndex index;
    private final Executor writers;
    private final int maxFrameBytes;
    private final int maxFramesPerSecond;
    private final int sendQueueLimit;
    private final Cors cors;
    private final ConcurrentHashMap<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("parley-sio-timer").daemon(true).unstarted(r));

    public SocketIoEndpoint(SocketIoConfig config, UpgradeAuthenticator authenticator, TokenLifecycle lifecycle,
                            CommandParser parser, CommandService commands, ConnectionRegistry registry, RoomIndex index,
                            Executor writers, int maxFrameBytes, int maxFramesPerSecond, int sendQueueLimit) {
        this.config = config;
        this.authenticator = authenticator;
        this.lifecycle = lifecycle;
        this.parser = parser;
        this.commands = commands;
        this.registry = registry;
        this.index = index;
        this.writers = writers;
        this.maxFrameBytes = maxFrameBytes;
        this.maxFramesPerSecond = maxFramesPerSecond;
        this.sendQueueLimit = sendQueueLimit;
        this.cors = new Cors(config.corsOrigins());
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

    // ---------------------------------------------------------------- HTTP long-polling

    /** Every HTTP request to /socket.io/ that is not a WebSocket upgrade (GET, POST, OPTIONS). */
    public void handle(ServerRequest request, ServerResponse response) {
        try {
            if (!cors.allowed(request.headers())) {
                httpError(request, response, EngineCodec.HttpError.FORBIDDEN);
                return;
            }
            Method method = request.prologue().method();
            if (method == Method.OPTIONS) {
                cors.preflight(request.headers(), response);
                response.status(Status.NO_CONTENT_204).send();
                return;
            }
            UriQuery query = request.prologue().query();
            String eio = param(query, "EIO");
            String transport = param(query, "transport");
            String sid = param(query, "sid");
            if (!Integer.toString(EngineCodec.PROTOCOL).equals(eio)) {
                httpError(request, response, EngineCodec.HttpError.UNSUPPORTED_PROTOCOL_VERSION);
                return;
            }
            if (!"polling".equals(transport) && !"websocket".equals(transport)) {
                httpError(request, response, EngineCodec.HttpError.UNKNOWN_TRANSPORT);
                return;
            }
            if (sid == null) {
                if ("websocket".equals(transport)) {
                    httpError(request, response, EngineCodec.HttpError.BAD_REQUEST); // a WebSocket handshake without the upgrade
                } else if (method != Method.GET) {
                    httpError(request, response, EngineCodec.HttpError.BAD_HANDSHAKE_METHOD);
                } else {
                    openPolling(request, response);
                }
                return;
            }
            EngineSession session = sessions.get(sid);
            if (session == null) {
                httpError(request, response, EngineCodec.HttpError.UNKNOWN_SID);
                return;
            }
            if ("websocket".equals(transport) || session.transport() != EngineSession.Transport.POLLING) {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                return;
            }
            if (method == Method.GET) {
                poll(session, request, response);
            } else if (session.isClosed()) {
                httpError(request, response, EngineCodec.HttpError.UNKNOWN_SID);
            } else if (method == Method.POST) {
                post(session, request, response);
            } else {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
            }
        } catch (RuntimeException e) {
            LOG.error("Socket.IO request failed", e);
            if (!response.isSent()) {
                response.status(Status.INTERNAL_SERVER_ERROR_500)
                        .header(HeaderNames.CONTENT_TYPE, "application/json")
                        .send(Json.write(java.util.Map.of("error", ErrorBody.of(ErrorCode.INTERNAL_ERROR, "internal error"))));
            }
        }
    }

    private void openPolling(ServerRequest request, ServerResponse response) {
        String token = UpgradeAuthenticator.tokenOf(request.prologue(), request.headers());
        EngineSession session = newSession(token, EngineSession.Transport.POLLING);
        session.handshakeProfile = profileOf(query(request));
        sessions.put(session.sid, session);
        startTimers(session);
        text(request, response, EngineCodec.open(session.sid, true, config.pingIntervalMs(), config.pingTimeoutMs(),
                config.maxPayload()));
    }

    private void poll(EngineSession session, ServerRequest request, ServerResponse response) {
        EngineSession.Poll result;
        try {
            result = session.poll(TimeUnit.MILLISECONDS.toNanos(config.pingIntervalMs() + config.pingTimeoutMs()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new EngineSession.Body(String.valueOf(EngineCodec.NOOP));
        }
        switch (result) {
            case EngineSession.Body body -> {
                text(request, response, body.text());
                if (session.isClosed() && session.isFlushed()) {
                    sessions.remove(session.sid, session);
                }
            }
            case EngineSession.Overlap overlap -> {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                close(session, "concurrent long-polling GET", Ending.SERVER_CLOSE);
            }
            case EngineSession.WrongTransport wrong -> httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
        }
    }

    private void post(EngineSession session, ServerRequest request, ServerResponse response) {
        if (!session.inbound.tryLock()) {
            httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
            close(session, "concurrent long-polling POST", Ending.SERVER_CLOSE);
            return;
        }
        try {
            long declared = request.headers().contentLength().orElse(-1);
            if (declared > config.maxPayload()) {
                httpError(request, response, EngineCodec.HttpError.PAYLOAD_TOO_LARGE);
                close(session, "payload too large", Ending.SERVER_CLOSE);
                return;
            }
            byte[] bytes;
            try (InputStream in = request.content().inputStream()) {
                bytes = in.readNBytes(config.maxPayload() + 1);
            } catch (IOException | RuntimeException e) {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                close(session, "unreadable POST body", Ending.SERVER_CLOSE);
                return;
            }
            if (bytes.length > config.maxPayload()) {
                httpError(request, response, EngineCodec.HttpError.PAYLOAD_TOO_LARGE);
                close(session, "payload too large", Ending.SERVER_CLOSE);
                return;
            }
            List<EngineCodec.Packet> packets;
            try {
                packets = EngineCodec.decodePayload(utf8(bytes));
            } catch (EngineCodec.MalformedException e) {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                close(session, "parse error: " + e.getMessage(), Ending.SERVER_CLOSE);
                return;
            }
            for (EngineCodec.Packet packet : packets) {
                if (!onPacket(session, packet, false)) {
                    httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                    close(session, "parse error: unexpected packet", Ending.SERVER_CLOSE);
                    return;
                }
            }
            response.header(HeaderNames.CONTENT_TYPE, "text/html");
            cors.apply(request.headers(), response);
            response.send("ok");
        } finally {
            session.inbound.unlock();
        }
    }

    private void text(ServerRequest request, ServerResponse response, String body) {
        response.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
        cors.apply(request.headers(), response);
        response.send(body.getBytes(StandardCharsets.UTF_8));
    }

    private void httpError(ServerRequest request, ServerResponse response, EngineCodec.HttpError error) {
        if (error != EngineCodec.HttpError.FORBIDDEN) {
            cors.apply(request.headers(), response);
        }
        response.status(Status.create(error.status))
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .send(error.body());
    }

    private static UriQuery query(ServerRequest request) {
        return request.prologue().query();
    }

    /** The vocabulary profile a handshake names ({@code ?profile=seed-001} or {@code ?vocabulary=}), or null. */
    static String profileOf(UriQuery query) {
        String profile = param(query, "profile");
        return profile != null ? profile : param(query, "vocabulary");
    }

    private static String param(UriQuery query, String name) {
        try {
            return query.first(name).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String utf8(byte[] bytes) throws EngineCodec.MalformedException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EngineCodec.MalformedException("payload is not UTF-8");
        }
    }

    // ---------------------------------------------------------------- WebSocket

    /** A new listener per WebSocket connection to /socket.io/. */
    public WsListener newListener() {
        return new TappedListener(new SioWsListener(this));
    }

    /** For a listener's upgrade check: the polling session a WebSocket upgrades, or null. */
    EngineSession sessionToUpgrade(String sid) {
        EngineSession session = sessions.get(sid);
        return session != null && !session.isClosed() && session.transport() == EngineSession.Transport.POLLING
                ? session : null;
    }

    /** A session opened directly on WebSocket: sends the open packet. */
    EngineSession openWebsocket(WsSession ws, String handshakeToken) {
        EngineSession session = newSession(handshakeToken, EngineSession.Transport.WEBSOCKET);
        session.attachWebsocket(sendQueue(session, ws), Thread.currentThread());
        sessions.put(session.sid, session);
        startTimers(session);
        send(session, EngineCodec.open(session.sid, false, config.pingIntervalMs(), config.pingTimeoutMs(),
                config.maxPayload()));
        return session;
    }

    /** The probe of an upgrade arrived on {@code ws}: answer it and release the session's waiting GET. */
    void probe(EngineSession session, WsSession ws, String data) {
        ws.send(EngineCodec.PONG + data, true); // nothing else writes to a probing WebSocket
        session.probed();
    }

    /** The upgrade packet arrived: the session moves to {@code ws}. False if the session is gone. */
    boolean upgrade(EngineSession session, WsSession ws) {
        boolean upgraded = session.upgrade(sendQueue(session, ws), Thread.currentThread());
        LOG.debug("session {} upgraded to WebSocket: {}", session.sid, upgraded);
        return upgraded;
    }

    /** One text message on a session's WebSocket. */
    void onWebsocketText(EngineSession session, String text) {
        EngineCodec.Packet packet;
        try {
            packet = EngineCodec.decode(text);
        } catch (EngineCodec.MalformedException e) {
            closeForProtocolError(session, "parse error: " + e.getMessage());
            return;
        }
        session.inbound.lock();
        try {
            if (!onPacket(session, packet, true)) {
                closeForProtocolError(session, "parse error: unexpected packet");
            }
        } finally {
            session.inbound.unlock();
        }
    }

    /** One binary message on a session's WebSocket: a Socket.IO attachment. */
    void onWebsocketBinary(EngineSession session) {
        session.inbound.lock();
        try {
            onAttachment(session);
        } finally {
            session.inbound.unlock();
        }
    }

    private void closeForProtocolError(EngineSession session, String reason) {
        closeWebsocket(session, CLOSE_PROTOCOL_ERROR, reason);
    }

    /** Ends a WebSocket session with this close code (written by its queue, the socket's only writer). */
    void closeWebsocket(EngineSession session, int code, String reason) {
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            queue.close(code, reason.length() > 100 ? reason.substring(0, 100) : reason);
        }
        close(session, reason, Ending.SERVER_CLOSE);
    }

    /** An RFC 6455 violation on a session's WebSocket: the close frame is written now with its code (1002, 1007). */
    void closeWebsocketNow(EngineSession session, int code, String reason) {
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            queue.closeNow(code, reason);
        }
        close(session, reason, Ending.SERVER_CLOSE);
    }

    /** Answers a WebSocket ping on a session's socket, serialised with its writer. */
    void pong(EngineSession session, WsSession ws, byte[] payload) {
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            queue.writeNow(() -> ws.pong(io.helidon.common.buffers.BufferData.create(payload)));
        }
    }

    private SendQueue sendQueue(EngineSession session, WsSession ws) {
        return new SendQueue(sendQueueLimit, SendQueue.Sink.of(ws), new SendQueue.Events() {
            @Override
            public void overflow(SendQueue queue) {
                LOG.info("Socket.IO session {} closed: slow consumer", session.sid);
                close(session, "slow consumer", Ending.SERVER_CLOSE);
            }

            @Override
            public void sendFailed(SendQueue queue, Exception failure) {
                LOG.debug("Socket.IO session {}: send failed: {}", session.sid, failure.toString());
                close(session, "send failed", Ending.PEER_GONE);
                try {
                    if (ws instanceof ServerConnection connection) {
                        connection.close(true); // interrupts the reader, which closes the socket
                    }
                } catch (RuntimeException e) {
                    LOG.debug("session {}: socket already closed: {}", session.sid, e.toString());
                }
            }
        }, writers);
    }

    // ---------------------------------------------------------------- Engine.IO packets

    /** One packet from the client; false for a packet that breaks the protocol (the caller closes the session). */
    private boolean onPacket(EngineSession session, EngineCodec.Packet packet, boolean websocket) {
        if (packet.isBinary()) {
            onAttachment(session);
            return true;
        }
        switch (packet.type()) {
            case EngineCodec.CLOSE -> close(session, "client closed the session", Ending.SERVER_CLOSE);
            case EngineCodec.PING -> send(session, EngineCodec.PONG + packet.data());
            case EngineCodec.PONG -> {
                if (session.pongReceived()) {
                    timer.schedule(() -> ping(session), config.pingIntervalMs(), TimeUnit.MILLISECONDS);
                }
            }
            case EngineCodec.MESSAGE -> onSocketIo(session, packet.data());
            case EngineCodec.NOOP -> { }
            case EngineCodec.UPGRADE -> {
                return websocket; // a repeated upgrade on the WebSocket is harmless; on polling it is nonsense
            }
            default -> {
                return false; // OPEN from a client
            }
        }
        return true;
    }

    private void startTimers(EngineSession session) {
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

    // ---------------------------------------------------------------- Socket.IO packets

    private void onSocketIo(EngineSession session, String text) {
        try {
            if (NativeFrames.utf8Length(text) > maxFrameBytes) {
                SioCodec.Header header = headerOrNull(text);
                if (header != null) {
                    session.attachmentsToSkip += header.attachments();
                }
                answerError(session, header == null ? null : header.ackId(),
                        ErrorBody.of(ErrorCode.PAYLOAD_TOO_LARGE, "packet larger than " + maxFrameBytes + " bytes"));
                return;
            }
            SioCodec.Packet packet;
            try {
                packet = SioCodec.decode(text);
            } catch (SioCodec.MalformedException e) {
                if (!SioCodec.DEFAULT_NAMESPACE.equals(e.namespace())) {
                    refuseNamespace(session, e.namespace());
                } else {
                    answerError(session, e.ackId(), ErrorBody.of(ErrorCode.INVALID_MESSAGE, "malformed Socket.IO packet: " + e.getMessage()));
                }
                return;
            }
            session.attachmentsToSkip += packet.attachments();
            if (!SioCodec.DEFAULT_NAMESPACE.equals(packet.namespace())) {
                refuseNamespace(session, packet.namespace());
                return;
            }
            switch (packet.type()) {
                case SioCodec.CONNECT -> connect(session, packet.data());
                case SioCodec.DISCONNECT -> {
                    SioSocket socket = session.socket();
                    if (socket != null) {
                        session.socket(null);
                        cleanup(socket, "client disconnect");
                    }
                }
                case SioCodec.EVENT -> event(session, packet);
                case SioCodec.BINARY_EVENT -> answerError(session, packet.ackId(), ErrorBody.of(ErrorCode.INVALID_MESSAGE,
                        "binary attachments are not supported: send JSON (base64 for bytes)"));
                default -> { } // ACK and BINARY_ACK: this server never asks the client for an ack
            }
        } catch (RuntimeException e) {
            LOG.error("Socket.IO packet of session {} failed", session.sid, e);
            answerError(session, null, ErrorBody.of(ErrorCode.INTERNAL_ERROR, "internal error"));
        }
    }

    private void onAttachment(EngineSession session) {
        if (session.attachmentsToSkip > 0) {
            session.attachmentsToSkip--;
        } else {
            answerError(session, null, ErrorBody.of(ErrorCode.INVALID_MESSAGE, "binary data without a packet announcing it"));
        }
    }

    private void refuseNamespace(EngineSession session, String namespace) {
        send(session, EngineCodec.message(SioCodec.connectError(namespace, "Invalid namespace",
                ErrorBody.of(ErrorCode.INVALID_MESSAGE, "unknown namespace: only the default namespace '/' is served"))));
    }

    private void connect(EngineSession session, JsonNode auth) {
        SioSocket existing = session.socket();
        if (existing != null) {
            send(session, EngineCodec.message(SioCodec.connected(existing.connectionId())));
            JsonNode late = auth != null && auth.isObject() ? auth.get("token") : null;
            if (existing.identity() == null && late != null && late.isTextual() && !late.textValue().isBlank()) {
                lifecycle.authenticate(existing, null, late.textValue()); // a pending socket's repeated CONNECT brings its token
            }
            return;
        }
        String token = session.handshakeToken;
        if (auth != null && auth.isObject() && auth.has("token") && !auth.get("token").isNull()) {
            JsonNode value = auth.get("token");
            if (!value.isTextual() || value.textValue().isBlank()) {
                refuseConnect(session, "auth.token must be a non-empty string");
                return;
            }
            token = value.textValue();
        }
        Vocabulary vocabulary = Vocabularies.chosen(session.handshakeProfile, auth);
        if (vocabulary == null) {
            String reason = "unknown vocabulary profile; known: " + String.join(", ", Vocabularies.names());
            send(session, EngineCodec.message(SioCodec.connectError(SioCodec.DEFAULT_NAMESPACE,
                    ErrorCode.INVALID_MESSAGE + ": " + reason, ErrorBody.of(ErrorCode.INVALID_MESSAGE, reason))));
            return;
        }
        if (token == null || token.isBlank()) {
            // First-message auth: connected, but nothing is allowed until an auth event with a valid token.
            SioSocket socket = new SioSocket(EventIds.next(), null, session, this, vocabulary);
            session.socket(socket);
            send(session, EngineCodec.message(SioCodec.connected(socket.connectionId())));
            lifecycle.awaitAuthentication(socket);
            LOG.debug("Socket.IO socket {} connected without a token: waiting for auth (session {})", socket.connectionId(), session.sid);
            return;
        }
        switch (authenticator.verify(token)) {
            case TokenVerifier.Rejected rejected -> refuseConnect(session, rejected.reason());
            case TokenVerifier.Verified verified -> {
                SioSocket socket = new SioSocket(EventIds.next(), verified.identity(), session, this, vocabulary);
                synchronized (socket) {
                    session.socket(socket);
                    activate(socket);
                }
                send(session, EngineCodec.message(SioCodec.connected(socket.connectionId())));
                if (session.isClosed()) {
                    cleanup(socket, "closed while connecting");
                } else {
                    lifecycle.track(socket);
                }
            }
        }
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

    private void refuseConnect(EngineSession session, String reason) {
        send(session, EngineCodec.message(SioCodec.connectError(SioCodec.DEFAULT_NAMESPACE,
                ErrorCode.AUTHENTICATION_FAILED + ": " + reason, ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED, reason))));
    }

    private void event(EngineSession session, SioCodec.Packet packet) {
        SioSocket socket = session.socket();
        if (socket == null) {
            answerError(session, packet.ackId(), ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED,
                    "not connected: send CONNECT with auth: {token} first"));
            return;
        }
        JsonNode args = packet.data();
        String name = args.get(0).asText();
        JsonNode data = args.size() > 1 ? args.get(1) : null;
        String ref = packet.ackId() == null ? null : Long.toString(packet.ackId());
        long retryAfter = session.guard.tryAcquire(System.nanoTime());
        if (retryAfter > 0) {
            socket.reply(io.parley.contracts.wire.ServerReply.error(ref, new ErrorBody(ErrorCode.RATE_LIMIT_EXCEEDED,
                    "more than " + maxFramesPerSecond + " events per second", retryAfter)));
            return;
        }
        if (socket.vocabulary() != Vocabularies.DEFAULT) {
            // A profile maps the seed's event onto Parley's op and data (multi-argument events included).
            List<JsonNode> rest = new java.util.ArrayList<>(args.size());
            for (int i = 1; i < args.size(); i++) {
                rest.add(args.get(i));
            }
            switch (socket.vocabulary().inbound(name, rest)) {
                case Vocabulary.Inbound.Refused refused -> {
                    socket.reply(io.parley.contracts.wire.ServerReply.error(ref, refused.error()));
                    return;
                }
                case Vocabulary.Inbound.Request request -> {
                    name = request.op();
                    data = request.data();
                    ref = SioSocket.ref(request.tag(), packet.ackId());
                }
            }
        } else if (data != null && data.isTextual() && ROOM_ARGUMENT_EVENTS.contains(name)) {
            ObjectNode room = Json.MAPPER.createObjectNode();
            room.put("roomId", data.textValue());
            data = room;
        } else if (data != null && data.isTextual() && (AuthProtocol.AUTH.equals(name) || AuthProtocol.REFRESH.equals(name))) {
            ObjectNode token = Json.MAPPER.createObjectNode(); // emit('auth', token) as well as emit('auth', {token})
            token.put("token", data.textValue());
            data = token;
        }
        switch (parser.parse(name, data)) {
            case CommandParser.Invalid invalid -> socket.reply(io.parley.contracts.wire.ServerReply.error(ref, invalid.error()));
            case CommandParser.Valid valid when valid.command() instanceof Command.Authenticate auth ->
                    lifecycle.authenticate(socket, ref, auth.token());
            case CommandParser.Valid valid when socket.identity() == null ->
                    socket.reply(io.parley.contracts.wire.ServerReply.error(ref, ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED,
                            "not authenticated: emit auth with the token first")));
            case CommandParser.Valid valid -> {
                synchronized (socket) {
                    if (socket.isOpen()) {
                        commands.handle(socket, ref, valid.command());
                    }
                }
            }
        }
    }

    /** An error for a request: in its ack when it has one, else as an "error" event. */
    private void answerError(EngineSession session, Long ackId, ErrorBody error) {
        send(session, EngineCodec.message(ackId != null ? SioCodec.ackError(ackId, error)
                : SioCodec.event(Protocol.ERROR, Json.tree(error))));
    }

    private static SioCodec.Header headerOrNull(String text) {
        try {
            return SioCodec.header(text);
        } catch (SioCodec.MalformedException e) {
            return null;
        }
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
    private void cleanup(SioSocket socket, String reason) {
        synchronized (socket) {
            if (!socket.markClosed()) {
                return;
            }
            if (socket.identity() != null) { // a socket that never authenticated was never connected
                registry.remove(socket);
                index.removeEverywhere(socket);
                commands.disconnected(socket, reason);
            }
        }
        lifecycle.forget(socket);
        LOG.debug("Socket.IO socket {} of {} closed: {}", socket.connectionId(), socket.userId(), reason);
    }

    /** The WebSocket of a session ended (close frame, error, EOF). */
    void websocketEnded(EngineSession session, String reason) {
        close(session, reason, Ending.PEER_GONE);
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

    private EngineSession newSession(String handshakeToken, EngineSession.Transport transport) {
        return new EngineSession(EventIds.next(), handshakeToken, transport, sendQueueLimit, config.maxPayload(),
                new FrameRateGuard(maxFramesPerSecond, System.nanoTime()));
    }
}
