/*
 * TappedListener owns the hand-over between Helidon's WebSocket callbacks and a FrameTap for one
 * connection: each callback takes the tap's entry for its frame; text comes from the tap (strict
 * UTF-8, code points split across fragments joined) instead of Helidon's per-frame decoding; a
 * frame that breaks RFC 6455 is not delivered, the connection is closed with the tap's code
 * (1002, 1007) through the listener's own writer, and later frames are ignored.
 */
package io.parley.edge.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import java.util.Optional;

/** Called by one connection's reader thread only. */
public final class TappedListener implements WsListener {

    /** A listener that can close its connection with an RFC 6455 code itself (it owns the connection's writer). */
    public interface ViolationAware {
        /** Close the connection now with {@code closeCode}; nothing more of it is processed. */
        void protocolViolation(WsSession ws, int closeCode, String reason);
    }

    private final WsListener delegate;
    /** The connection's tap, found at open; null (everything passed through) on a connection not upgraded by TappedWsUpgrader. */
    private FrameTap tap;
    private boolean violated;

    /** Wraps a route's listener (EdgeNode's WebSocket routes supply wrapped listeners). */
    public TappedListener(WsListener delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        return delegate.onHttpUpgrade(prologue, headers);
    }

    @Override
    public void onOpen(WsSession session) {
        if (session.socketContext() instanceof TappedWsUpgrader.TappedContext tapped) {
            tap = tapped.tap();
        }
        delegate.onOpen(session);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        FrameTap.Entry entry = next();
        if (violated || violation(session, entry)) {
            return;
        }
        if (entry instanceof FrameTap.Text decoded) {
            delegate.onMessage(session, decoded.fragment(), decoded.last());
        } else {
            delegate.onMessage(session, text, last);
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        if (!violated && !violation(session, next())) {
            delegate.onMessage(session, buffer, last);
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        if (!violated && !violation(session, next())) {
            delegate.onPing(session, buffer);
        }
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        if (!violated && !violation(session, next())) {
            delegate.onPong(session, buffer);
        }
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (!violated) {
            violation(session, next());
        }
        delegate.onClose(session, status, reason);
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        if (!violated) {
            violation(session, next()); // e.g. a reserved opcode Helidon could not parse
        }
        delegate.onError(session, t);
    }

    private FrameTap.Entry next() {
        return tap == null ? null : tap.next();
    }

    private boolean violation(WsSession session, FrameTap.Entry entry) {
        if (!(entry instanceof FrameTap.Violation violation)) {
            return false;
        }
        violated = true;
        if (delegate instanceof ViolationAware aware) {
            aware.protocolViolation(session, violation.closeCode(), violation.reason());
        } else {
            session.close(violation.closeCode(), violation.reason());
        }
        return true;
    }
}
