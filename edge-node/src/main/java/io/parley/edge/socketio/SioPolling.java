/*
 * SioPolling owns Engine.IO's HTTP long-polling transport on /socket.io/: the checks of every
 * non-upgrade request (origin, EIO=4, transport, sid), the handshake that opens a polling session,
 * the long GET that drains a session's outbox, the POST whose payload packets go to SioPackets,
 * maxPayload, CORS answers and Engine.IO's HTTP errors.
 */
package io.parley.edge.socketio;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.edge.auth.UpgradeAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;


/** Thread-safe; one per endpoint. */
final class SioPolling {
    private static final Logger LOG = LoggerFactory.getLogger(SioPolling.class);

    private final SocketIoEndpoint endpoint;

    SioPolling(SocketIoEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Every HTTP request to /socket.io/ that is not a WebSocket upgrade (GET, POST, OPTIONS). */
    public void handle(ServerRequest request, ServerResponse response) {
        try {
            if (!endpoint.cors().allowed(request.headers())) {
                httpError(request, response, EngineCodec.HttpError.FORBIDDEN);
                return;
            }
            Method method = request.prologue().method();
            if (method == Method.OPTIONS) {
                endpoint.cors().preflight(request.headers(), response);
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
            EngineSession session = endpoint.sessions().get(sid);
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
        EngineSession session = endpoint.newSession(token, EngineSession.Transport.POLLING);
        session.handshakeProfile = profileOf(query(request));
        endpoint.sessions().put(session.sid, session);
        endpoint.startTimers(session);
        text(request, response, EngineCodec.open(session.sid, true, endpoint.config().pingIntervalMs(), endpoint.config().pingTimeoutMs(),
                endpoint.config().maxPayload()));
    }

    private void poll(EngineSession session, ServerRequest request, ServerResponse response) {
        EngineSession.Poll result;
        try {
            result = session.poll(TimeUnit.MILLISECONDS.toNanos(endpoint.config().pingIntervalMs() + endpoint.config().pingTimeoutMs()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new EngineSession.Body(String.valueOf(EngineCodec.NOOP));
        }
        switch (result) {
            case EngineSession.Body body -> {
                text(request, response, body.text());
                if (session.isClosed() && session.isFlushed()) {
                    endpoint.sessions().remove(session.sid, session);
                }
            }
            case EngineSession.Overlap overlap -> {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                endpoint.close(session, "concurrent long-polling GET", SocketIoEndpoint.Ending.SERVER_CLOSE);
            }
            case EngineSession.WrongTransport wrong -> httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
        }
    }

    private void post(EngineSession session, ServerRequest request, ServerResponse response) {
        if (!session.inbound.tryLock()) {
            httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
            endpoint.close(session, "concurrent long-polling POST", SocketIoEndpoint.Ending.SERVER_CLOSE);
            return;
        }
        try {
            long declared = request.headers().contentLength().orElse(-1);
            if (declared > endpoint.config().maxPayload()) {
                httpError(request, response, EngineCodec.HttpError.PAYLOAD_TOO_LARGE);
                endpoint.close(session, "payload too large", SocketIoEndpoint.Ending.SERVER_CLOSE);
                return;
            }
            byte[] bytes;
            try (InputStream in = request.content().inputStream()) {
                bytes = in.readNBytes(endpoint.config().maxPayload() + 1);
            } catch (IOException | RuntimeException e) {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                endpoint.close(session, "unreadable POST body", SocketIoEndpoint.Ending.SERVER_CLOSE);
                return;
            }
            if (bytes.length > endpoint.config().maxPayload()) {
                httpError(request, response, EngineCodec.HttpError.PAYLOAD_TOO_LARGE);
                endpoint.close(session, "payload too large", SocketIoEndpoint.Ending.SERVER_CLOSE);
                return;
            }
            List<EngineCodec.Packet> packets;
            try {
                packets = EngineCodec.decodePayload(utf8(bytes));
            } catch (EngineCodec.MalformedException e) {
                httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                endpoint.close(session, "parse error: " + e.getMessage(), SocketIoEndpoint.Ending.SERVER_CLOSE);
                return;
            }
            for (EngineCodec.Packet packet : packets) {
                if (!endpoint.packets().onPacket(session, packet, false)) {
                    httpError(request, response, EngineCodec.HttpError.BAD_REQUEST);
                    endpoint.close(session, "parse error: unexpected packet", SocketIoEndpoint.Ending.SERVER_CLOSE);
                    return;
                }
            }
            response.header(HeaderNames.CONTENT_TYPE, "text/html");
            endpoint.cors().apply(request.headers(), response);
            response.send("ok");
        } finally {
            session.inbound.unlock();
        }
    }

    private void text(ServerRequest request, ServerResponse response, String body) {
        response.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
        endpoint.cors().apply(request.headers(), response);
        response.send(body.getBytes(StandardCharsets.UTF_8));
    }

    private void httpError(ServerRequest request, ServerResponse response, EngineCodec.HttpError error) {
        if (error != EngineCodec.HttpError.FORBIDDEN) {
            endpoint.cors().apply(request.headers(), response);
        }
        response.status(Status.create(error.status))
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .send(error.body());
    }

    static UriQuery query(ServerRequest request) {
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
}
