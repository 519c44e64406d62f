/*
 * SioPackets owns what a session's packets mean: Engine.IO packets (close, ping/pong, message,
 * upgrade) and Socket.IO v5 packets on top: CONNECT with the JWT in the auth payload (or without
 * one, then an auth event within the auth timeout, via the TokenLifecycle; with {pid, offset}, a
 * connection-state recovery through SioRecovery), DISCONNECT, EVENTs mapped through the socket's
 * vocabulary profile into the same validated Commands as /ws and handed to the CommandService,
 * and every refusal as a CONNECT_ERROR, an error ack or an "error" event.
 */
package io.parley.edge.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.parley.edge.vocab.Vocabularies;
import io.parley.edge.vocab.Vocabulary;
import io.parley.edge.ws.NativeFrames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;


/** Thread-safe; one per endpoint. Called with the session's inbound lock held. */
final class SioPackets {
    private static final Logger LOG = LoggerFactory.getLogger(SioPackets.class);
    /** Commands that name one room also accept the bare room id: {@code emit('join-room', roomId, ack)}. */
    static final Set<String> ROOM_ARGUMENT_EVENTS = Set.of(Protocol.JOIN_ROOM, Protocol.LEAVE_ROOM,
            Protocol.TYPING_START, Protocol.TYPING_STOP, Protocol.GET_ONLINE_USERS, "get-history", "delete-room");

    private final SocketIoEndpoint endpoint;
    private final UpgradeAuthenticator authenticator;
    private final TokenLifecycle lifecycle;
    private final CommandParser parser;
    private final CommandService commands;
    private final int maxFrameBytes;
    private final int maxFramesPerSecond;

    SioPackets(SocketIoEndpoint endpoint, UpgradeAuthenticator authenticator, TokenLifecycle lifecycle,
               CommandParser parser, CommandService commands, int maxFrameBytes, int maxFramesPerSecond) {
        this.endpoint = endpoint;
        this.authenticator = authenticator;
        this.lifecycle = lifecycle;
        this.parser = parser;
        this.commands = commands;
        this.maxFrameBytes = maxFrameBytes;
        this.maxFramesPerSecond = maxFramesPerSecond;
    }

    /** One packet from the client; false for a packet that breaks the protocol (the caller closes the session). */
    boolean onPacket(EngineSession session, EngineCodec.Packet packet, boolean websocket) {
        if (packet.isBinary()) {
            onAttachment(session);
            return true;
        }
        switch (packet.type()) {
            case EngineCodec.CLOSE -> endpoint.close(session, "client closed the session", SocketIoEndpoint.Ending.SERVER_CLOSE);
            case EngineCodec.PING -> endpoint.send(session, EngineCodec.PONG + packet.data());
            case EngineCodec.PONG -> {
                if (session.pongReceived()) {
                    endpoint.schedulePing(session);
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
                        endpoint.cleanup(socket, SioRecovery.CLIENT_DISCONNECT);
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

    void onAttachment(EngineSession session) {
        if (session.attachmentsToSkip > 0) {
            session.attachmentsToSkip--;
        } else {
            answerError(session, null, ErrorBody.of(ErrorCode.INVALID_MESSAGE, "binary data without a packet announcing it"));
        }
    }

    private void refuseNamespace(EngineSession session, String namespace) {
        endpoint.send(session, EngineCodec.message(SioCodec.connectError(namespace, "Invalid namespace",
                ErrorBody.of(ErrorCode.INVALID_MESSAGE, "unknown namespace: only the default namespace '/' is served"))));
    }

    private void connect(EngineSession session, JsonNode auth) {
        SioSocket existing = session.socket();
        if (existing != null) {
            endpoint.send(session, EngineCodec.message(SioCodec.connected(existing.connectionId())));
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
            endpoint.send(session, EngineCodec.message(SioCodec.connectError(SioCodec.DEFAULT_NAMESPACE,
                    ErrorCode.INVALID_MESSAGE + ": " + reason, ErrorBody.of(ErrorCode.INVALID_MESSAGE, reason))));
            return;
        }
        if (token == null || token.isBlank()) {
            // First-message auth: connected, but nothing is allowed until an auth event with a valid token.
            SioSocket socket = new SioSocket(EventIds.next(), null, session, endpoint, vocabulary);
            session.socket(socket);
            endpoint.send(session, EngineCodec.message(SioCodec.connected(socket.connectionId())));
            lifecycle.awaitAuthentication(socket);
            LOG.debug("Socket.IO socket {} connected without a token: waiting for auth (session {})", socket.connectionId(), session.sid);
            return;
        }
        switch (authenticator.verify(token)) {
            case TokenVerifier.Rejected rejected -> refuseConnect(session, rejected.reason());
            case TokenVerifier.Verified verified -> {
                String pid = auth != null && auth.isObject() && auth.path("pid").isTextual() ? auth.get("pid").textValue() : null;
                SioRecovery recovery = endpoint.recovery();
                if (pid == null || !recovery.enabled() || vocabulary != Vocabularies.DEFAULT) {
                    connected(session, verified.identity(), vocabulary, null, null, null);
                    return;
                }
                // A reconnect asking for recovery: the saved session is read without blocking this reader.
                String offset = auth.path("offset").isTextual() ? auth.get("offset").textValue() : null;
                recovery.load(pid).whenComplete((saved, failure) -> Thread.startVirtualThread(() -> {
                    session.inbound.lock();
                    try {
                        connected(session, verified.identity(), vocabulary, pid, failure == null ? saved : null, offset);
                    } catch (RuntimeException e) {
                        LOG.error("Socket.IO recovery of session {} failed", session.sid, e);
                        endpoint.close(session, "internal error", SocketIoEndpoint.Ending.SERVER_CLOSE);
                    } finally {
                        session.inbound.unlock();
                    }
                }));
            }
        }
    }

    /**
     * The token was verified: the socket connects. With recovery on (default vocabulary) it gets a
     * pid: the client's {@code requestedPid} again when {@code saved} is its user's session and the
     * node can recover its rooms now (then {@code socket.recovered} is true on the client and each
     * room resumes from its last seq), else a new one.
     */
    private void connected(EngineSession session, io.parley.contracts.auth.Identity identity, Vocabulary vocabulary,
                           String requestedPid, SioSessions.Saved saved, String offset) {
        if (session.isClosed()) {
            return;
        }
        SioSocket existing = session.socket();
        if (existing != null) { // a repeated CONNECT while the first was being recovered
            endpoint.send(session, EngineCodec.message(SioCodec.connected(existing.connectionId(), existing.pid())));
            return;
        }
        SioRecovery recovery = endpoint.recovery();
        SioSocket socket = new SioSocket(EventIds.next(), identity, session, endpoint, vocabulary);
        boolean recovered = false;
        synchronized (socket) {
            session.socket(socket);
            endpoint.activate(socket);
            if (recovery.enabled() && vocabulary == Vocabularies.DEFAULT) {
                if (saved != null && identity.userId().equals(saved.userId())) {
                    java.util.Map<String, Long> rooms = SioRecovery.withOffset(saved.rooms(), offset);
                    socket.resumable(requestedPid, recovery, rooms);
                    recovered = commands.recoverSession(socket, rooms);
                }
                if (!recovered) {
                    socket.resumable(recovery.newPid(), recovery, java.util.Map.of());
                }
            }
        }
        endpoint.send(session, EngineCodec.message(SioCodec.connected(socket.connectionId(), socket.pid())));
        LOG.debug("Socket.IO socket {} of {} connected{}", socket.connectionId(), identity.userId(), recovered ? " (recovered)" : "");
        if (session.isClosed()) {
            endpoint.cleanup(socket, "closed while connecting");
        } else {
            lifecycle.track(socket);
        }
    }

    private void refuseConnect(EngineSession session, String reason) {
        endpoint.send(session, EngineCodec.message(SioCodec.connectError(SioCodec.DEFAULT_NAMESPACE,
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
        endpoint.send(session, EngineCodec.message(ackId != null ? SioCodec.ackError(ackId, error)
                : SioCodec.event(Protocol.ERROR, Json.tree(error))));
    }

    private static SioCodec.Header headerOrNull(String text) {
        try {
            return SioCodec.header(text);
        } catch (SioCodec.MalformedException e) {
            return null;
        }
    }
}
