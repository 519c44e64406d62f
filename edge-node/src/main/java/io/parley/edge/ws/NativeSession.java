/*
 * NativeSession owns one native /ws connection at the edge: its identity (from the verified
 * token, at the upgrade or by a first-message auth; renewed by refresh), its bounded send queue
 * and writer, its frame-rate guard, the reassembly of fragmented text frames, and its open/closed
 * state.
 */
package io.parley.edge.ws;

import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;
import io.parley.contracts.auth.Identity;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.auth.TokenLifecycle;
import io.parley.edge.guard.FrameRateGuard;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.session.OutboundEvent;
import io.parley.edge.session.Subscriptions;

import java.util.concurrent.atomic.AtomicBoolean;

/** The ClientConnection of the native protocol. Reader-side state is touched only by the reader thread. */
final class NativeSession implements TokenLifecycle.Target {
    private final String connectionId;
    private final NativeEndpoint endpoint;
    private volatile Identity identity;
    private volatile String userId;
    private final WsSession ws;
    private final Thread reader;
    private final Subscriptions subscriptions = new Subscriptions();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final long connectedAt = System.currentTimeMillis();
    private volatile long closingSinceNanos;
    private SendQueue queue;

    // Reader thread only.
    final FrameRateGuard guard;
    private StringBuilder fragments;
    private boolean fragmentsOversized;

    /** {@code identity} is null for a connection opened without a token (it must send auth). */
    NativeSession(String connectionId, Identity identity, NativeEndpoint endpoint, WsSession ws, Thread reader,
                  FrameRateGuard guard) {
        this.connectionId = connectionId;
        this.identity = identity;
        this.userId = identity == null ? null : identity.userId();
        this.endpoint = endpoint;
        this.ws = ws;
        this.reader = reader;
        this.guard = guard;
    }

    void attach(SendQueue queue) {
        this.queue = queue;
    }

    SendQueue queue() {
        return queue;
    }

    @Override
    public String connectionId() { return connectionId; }

    @Override
    public String userId() { return userId; }

    @Override
    public Identity identity() { return identity; }

    @Override
    public void authenticated(Identity fresh) {
        boolean first = identity == null;
        identity = fresh;
        if (first) {
            userId = fresh.userId();
            endpoint.activate(this);
        }
    }

    @Override
    public void end(int closeCode, ErrorBody error) {
        endpoint.end(this, closeCode, error);
    }

    WsSession ws() {
        return ws;
    }

    @Override
    public Subscriptions subscriptions() { return subscriptions; }

    @Override
    public void reply(ServerReply reply) {
        if (!reply.ok() && reply.error() != null) {
            EdgeMetrics.current().error(reply.error().code());
        }
        if (open.get()) {
            queue.offer(Json.write(reply));
        }
    }

    @Override
    public void deliver(OutboundEvent event) {
        if (open.get()) {
            queue.offer(event.nativeText());
        }
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    @Override
    public String protocol() { return "native"; }

    @Override
    public long connectedAt() { return connectedAt; }

    @Override
    public int queueDepth() {
        SendQueue q = queue;
        return q == null ? 0 : q.pending();
    }

    /** Marks the session closed; true for the one caller that closed it (who then cleans up). */
    boolean markClosed() {
        if (open.compareAndSet(true, false)) {
            closingSinceNanos = System.nanoTime();
            return true;
        }
        return false;
    }

    long closingSinceNanos() {
        return closingSinceNanos;
    }

    /** False once Helidon's connection thread ended (EOF, reset, idle timeout): Helidon does not always call onClose. */
    boolean readerAlive() {
        return reader.isAlive();
    }

    /** Ends the TCP connection now: stops the writer and interrupts Helidon's reader (which closes the socket). */
    void terminate() {
        queue.abort();
        if (ws instanceof ServerConnection connection) {
            connection.close(true);
        }
    }

    /**
     * Appends one text fragment; returns the whole message when {@code last}, or null. A message
     * over {@code maxBytes} is not kept: {@link #OVERSIZED} is returned for it instead.
     */
    String reassemble(String fragment, boolean last, int maxBytes) {
        if (last && fragments == null) {
            return fragment;
        }
        if (fragments == null) {
            fragments = new StringBuilder();
            fragmentsOversized = false;
        }
        if (!fragmentsOversized) {
            if (NativeFrames.utf8Length(fragments) + NativeFrames.utf8Length(fragment) > maxBytes) {
                fragmentsOversized = true;
                fragments.setLength(0);
            } else {
                fragments.append(fragment);
            }
        }
        if (!last) {
            return null;
        }
        String message = fragmentsOversized ? OVERSIZED : fragments.toString();
        fragments = null;
        return message;
    }

    /** Marker for a reassembled message that was too large (compared by identity). */
    static final String OVERSIZED = new String("<oversized>");
}
