/*
 * NativeListener owns Helidon's callbacks for one /ws connection (a new instance per connection):
 * the origin and token checks at the upgrade (no token at all is allowed: the client then sends
 * auth {token} first), then open / message / ping / pong / close / error handed to the
 * NativeEndpoint. Every callback runs on that connection's Helidon reader thread.
 */
package io.parley.edge.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.parley.contracts.auth.Identity;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.edge.auth.UpgradeAuthenticator;

import java.util.Optional;

final class NativeListener implements WsListener, TappedListener.ViolationAware {
    private final NativeEndpoint endpoint;
    private Identity identity;
    private NativeSession session;

    NativeListener(NativeEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        // Helidon then answers the request through HTTP routing, where /ws responds 403 or 401 with the reason.
        if (!endpoint.origins().allowed(headers)) {
            throw new WsUpgradeException("origin not allowed");
        }
        if (NativeEndpoint.foreignProfile(prologue.query()) != null) {
            throw new WsUpgradeException("vocabulary profiles are Socket.IO only");
        }
        if (UpgradeAuthenticator.tokenOf(prologue, headers) == null) {
            return Optional.empty(); // first-message auth: the session waits for auth {token}
        }
        switch (endpoint.authenticator().authenticate(prologue, headers)) {
            case TokenVerifier.Verified verified -> {
                if (endpoint.registry().precheck(verified.identity().userId()) != null) {
                    throw new WsUpgradeException("connection limit"); // answered 503 CONNECTION_LIMIT by /ws routing
                }
                identity = verified.identity();
            }
            case TokenVerifier.Rejected rejected -> throw new WsUpgradeException("authentication failed: " + rejected.reason());
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession ws) {
        session = endpoint.open(ws, identity);
    }

    @Override
    public void protocolViolation(WsSession ws, int closeCode, String reason) {
        if (session != null) {
            endpoint.protocolError(session, closeCode, reason);
        } else {
            ws.close(closeCode, reason);
        }
    }

    @Override
    public void onPing(WsSession ws, BufferData buffer) {
        if (session != null) {
            endpoint.onPing(session, buffer);
        }
    }

    @Override
    public void onPong(WsSession ws, BufferData buffer) {
        if (session != null) {
            endpoint.onPong(session, buffer);
        }
    }

    @Override
    public void onMessage(WsSession ws, String text, boolean last) {
        if (session != null) {
            endpoint.onText(session, text, last);
        }
    }

    @Override
    public void onMessage(WsSession ws, BufferData buffer, boolean last) {
        if (session != null && last) {
            endpoint.onBinary(session);
        }
    }

    @Override
    public void onClose(WsSession ws, int status, String reason) {
        if (session != null) {
            endpoint.closedByPeer(session, status);
        }
    }

    @Override
    public void onError(WsSession ws, Throwable t) {
        if (session != null) {
            endpoint.failed(session, t);
        }
    }
}
