/*
 * NativeListener owns Helidon's callbacks for one /ws connection (a new instance per connection):
 * the token check at the upgrade, then open / message / close / error handed to the NativeEndpoint.
 * Every callback runs on that connection's Helidon reader thread.
 */
package io.parley.edge.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.parley.contracts.auth.TokenVerifier;

import java.util.Optional;

final class NativeListener implements WsListener {
    private final NativeEndpoint endpoint;
    private String userId;
    private NativeSession session;

    NativeListener(NativeEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        // Helidon then answers the request through HTTP routing, where /ws responds 401 with the reason.
        switch (endpoint.authenticator().authenticate(prologue, headers)) {
            case TokenVerifier.Verified verified -> userId = verified.userId();
            case TokenVerifier.Rejected rejected -> throw new WsUpgradeException("authentication failed: " + rejected.reason());
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession ws) {
        if (userId == null) {
            ws.close(SendQueue.CloseCodes.POLICY_VIOLATION, "not authenticated");
            return;
        }
        session = endpoint.open(ws, userId);
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
