/*
 * SioWsListener owns Helidon's callbacks for one WebSocket to /socket.io/ (a new instance per
 * connection): the checks at the upgrade (EIO=4, transport=websocket, an existing polling sid if
 * one is named, the origin), then either a session opened directly on WebSocket or the upgrade of
 * a polling session (2probe -> 3probe, then 5), and every later message handed to the endpoint.
 * A refused upgrade falls back to HTTP routing, where the endpoint answers the Engine.IO error.
 */
package io.parley.edge.socketio;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.parley.edge.auth.UpgradeAuthenticator;
import io.parley.edge.ws.NativeFrames;
import io.parley.edge.ws.TappedListener;

import java.util.Optional;

final class SioWsListener implements WsListener, TappedListener.ViolationAware {
    private static final String PROBE = "probe";

    private final SioWebsocket endpoint;
    private String handshakeToken;
    private String handshakeProfile;
    /** The polling session this WebSocket upgrades (until the upgrade packet), or null. */
    private EngineSession upgrading;
    private EngineSession session;
    private StringBuilder fragments;
    private boolean oversized;

    SioWsListener(SioWebsocket endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        String eio = prologue.query().first("EIO").orElse(null);
        String transport = prologue.query().first("transport").orElse(null);
        String sid = prologue.query().first("sid").orElse(null);
        if (!Integer.toString(EngineCodec.PROTOCOL).equals(eio) || !"websocket".equals(transport)
                || !endpoint.cors().allowed(headers)) {
            throw new WsUpgradeException("refused Engine.IO handshake");
        }
        if (sid != null) {
            upgrading = endpoint.sessionToUpgrade(sid);
            if (upgrading == null) {
                throw new WsUpgradeException("unknown sid");
            }
        } else {
            handshakeToken = UpgradeAuthenticator.tokenOf(prologue, headers);
            handshakeProfile = SocketIoEndpoint.profileOf(prologue.query());
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession ws) {
        if (upgrading == null) {
            session = endpoint.openWebsocket(ws, handshakeToken);
            session.handshakeProfile = handshakeProfile; // before any message: this thread reads them
        }
    }

    @Override
    public void onMessage(WsSession ws, String text, boolean last) {
        String message = reassemble(text, last);
        if (message == null) {
            return;
        }
        if (oversized) {
            oversized = false;
            if (session != null) {
                endpoint.closeWebsocket(session, SocketIoEndpoint.CLOSE_TOO_BIG, "payload too large");
            } else {
                ws.close(SocketIoEndpoint.CLOSE_TOO_BIG, "payload too large");
            }
            return;
        }
        if (session != null) {
            endpoint.onWebsocketText(session, message);
            return;
        }
        if (upgrading == null) {
            return;
        }
        if (message.equals(EngineCodec.PING + PROBE)) {
            endpoint.probe(upgrading, ws, PROBE);
        } else if (message.equals(String.valueOf(EngineCodec.UPGRADE))) {
            if (endpoint.upgrade(upgrading, ws)) {
                session = upgrading;
            } else {
                ws.close(SocketIoEndpoint.CLOSE_NORMAL, "session closed");
            }
            upgrading = null;
        } else {
            ws.close(SocketIoEndpoint.CLOSE_PROTOCOL_ERROR, "expected 2probe or 5 during the upgrade");
            upgrading = null;
        }
    }

    @Override
    public void protocolViolation(WsSession ws, int closeCode, String reason) {
        if (session != null) {
            endpoint.closeWebsocketNow(session, closeCode, reason);
        } else {
            ws.close(closeCode, reason); // nothing else writes to a WebSocket that is not a session's yet
        }
    }

    /** A WebSocket ping (not Engine.IO's): answered with a pong of the same payload (RFC 6455 section 5.5.2). */
    @Override
    public void onPing(WsSession ws, BufferData buffer) {
        byte[] payload = new byte[buffer.available()];
        buffer.read(payload);
        if (session != null) {
            endpoint.pong(session, ws, payload);
        } else {
            ws.pong(BufferData.create(payload));
        }
    }

    @Override
    public void onMessage(WsSession ws, BufferData buffer, boolean last) {
        if (session != null && last) {
            endpoint.onWebsocketBinary(session);
        }
    }

    @Override
    public void onClose(WsSession ws, int status, String reason) {
        if (session != null) {
            endpoint.websocketEnded(session, "client closed (" + status + ")");
        }
    }

    @Override
    public void onError(WsSession ws, Throwable t) {
        if (session != null) {
            endpoint.websocketEnded(session, "connection error");
        }
    }

    /** The whole message when {@code last}, else null; a message over maxPayload sets {@link #oversized}. */
    private String reassemble(String fragment, boolean last) {
        int max = endpoint.config().maxPayload();
        if (last && fragments == null) {
            oversized = NativeFrames.utf8Length(fragment) > max;
            return oversized ? "" : fragment;
        }
        if (fragments == null) {
            fragments = new StringBuilder();
        }
        if (!oversized) {
            if (NativeFrames.utf8Length(fragments) + NativeFrames.utf8Length(fragment) > max) {
                oversized = true;
                fragments.setLength(0);
            } else {
                fragments.append(fragment);
            }
        }
        if (!last) {
            return null;
        }
        String message = oversized ? "" : fragments.toString();
        fragments = null;
        return message;
    }
}
