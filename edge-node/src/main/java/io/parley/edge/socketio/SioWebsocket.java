/*
 * SioWebsocket owns Engine.IO's WebSocket transport on /socket.io/: sessions opened directly on a
 * WebSocket, the upgrade of a polling session (probe, then the upgrade packet), each message of a
 * session's WebSocket handed to SioPackets, pongs and close frames written through the session's
 * send queue (its socket's only writer).
 */
package io.parley.edge.socketio;

import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;
import io.parley.edge.ws.SendQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;



/** Thread-safe; one per endpoint. */
final class SioWebsocket {
    private static final Logger LOG = LoggerFactory.getLogger(SioWebsocket.class);

    private final SocketIoEndpoint endpoint;

    SioWebsocket(SocketIoEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    SocketIoConfig config() {
        return endpoint.config();
    }

    Cors cors() {
        return endpoint.cors();
    }

    /** For a listener's upgrade check: the polling session a WebSocket upgrades, or null. */
    EngineSession sessionToUpgrade(String sid) {
        EngineSession session = endpoint.sessions().get(sid);
        return session != null && !session.isClosed() && session.transport() == EngineSession.Transport.POLLING
                ? session : null;
    }

    /** A session opened directly on WebSocket: sends the open packet. */
    EngineSession openWebsocket(WsSession ws, String handshakeToken) {
        EngineSession session = endpoint.newSession(handshakeToken, EngineSession.Transport.WEBSOCKET);
        session.attachWebsocket(sendQueue(session, ws), Thread.currentThread());
        endpoint.sessions().put(session.sid, session);
        endpoint.startTimers(session);
        endpoint.send(session, EngineCodec.open(session.sid, false, endpoint.config().pingIntervalMs(), endpoint.config().pingTimeoutMs(),
                endpoint.config().maxPayload()));
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
            if (!endpoint.packets().onPacket(session, packet, true)) {
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
            endpoint.packets().onAttachment(session);
        } finally {
            session.inbound.unlock();
        }
    }

    private void closeForProtocolError(EngineSession session, String reason) {
        closeWebsocket(session, SocketIoEndpoint.CLOSE_PROTOCOL_ERROR, reason);
    }

    /** Ends a WebSocket session with this close code (written by its queue, the socket's only writer). */
    void closeWebsocket(EngineSession session, int code, String reason) {
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            queue.close(code, reason.length() > 100 ? reason.substring(0, 100) : reason);
        }
        endpoint.close(session, reason, SocketIoEndpoint.Ending.SERVER_CLOSE);
    }

    /** An RFC 6455 violation on a session's WebSocket: the close frame is written now with its code (1002, 1007). */
    void closeWebsocketNow(EngineSession session, int code, String reason) {
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            queue.closeNow(code, reason);
        }
        endpoint.close(session, reason, SocketIoEndpoint.Ending.SERVER_CLOSE);
    }

    /** Answers a WebSocket ping on a session's socket, serialised with its writer. */
    void pong(EngineSession session, WsSession ws, byte[] payload) {
        SendQueue queue = session.wsQueue();
        if (queue != null) {
            queue.writeNow(() -> ws.pong(io.helidon.common.buffers.BufferData.create(payload)));
        }
    }

    private SendQueue sendQueue(EngineSession session, WsSession ws) {
        return new SendQueue(endpoint.sendQueueLimit(), SendQueue.Sink.of(ws), new SendQueue.Events() {
            @Override
            public void overflow(SendQueue queue) {
                LOG.info("Socket.IO session {} closed: slow consumer", session.sid);
                endpoint.close(session, "slow consumer", SocketIoEndpoint.Ending.SERVER_CLOSE);
            }

            @Override
            public void sendFailed(SendQueue queue, Exception failure) {
                LOG.debug("Socket.IO session {}: send failed: {}", session.sid, failure.toString());
                endpoint.close(session, "send failed", SocketIoEndpoint.Ending.PEER_GONE);
                try {
                    if (ws instanceof ServerConnection connection) {
                        connection.close(true); // interrupts the reader, which closes the socket
                    }
                } catch (RuntimeException e) {
                    LOG.debug("session {}: socket already closed: {}", session.sid, e.toString());
                }
            }
        }, endpoint.writers());
    }

    /** The WebSocket of a session ended (close frame, error, EOF). */
    void websocketEnded(EngineSession session, String reason) {
        endpoint.close(session, reason, SocketIoEndpoint.Ending.PEER_GONE);
    }
}
