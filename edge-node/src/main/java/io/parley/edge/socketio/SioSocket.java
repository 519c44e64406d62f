/*
 * SioSocket owns one connected Socket.IO socket (default namespace) as a protocol-neutral
 * ClientConnection: replies become ACK packets ({success, data} / {success:false, error}) or, for
 * a request without an ack id, an "error" event; room events go out in their shared Socket.IO
 * encoding. It lives on an EngineSession, whose outbox carries its packets. Its identity comes from
 * the token of its CONNECT, or (CONNECT without a token) from its first auth event; refresh renews it.
 */
package io.parley.edge.socketio;

import io.parley.contracts.auth.Identity;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.auth.TokenLifecycle;
import io.parley.edge.session.OutboundEvent;
import io.parley.edge.session.Subscriptions;

import java.util.concurrent.atomic.AtomicBoolean;

/** Thread-safe; every method only queues. */
final class SioSocket implements TokenLifecycle.Target {
    private final String connectionId;
    private volatile Identity identity;
    private volatile String userId;
    private final EngineSession engine;
    private final SocketIoEndpoint endpoint;
    private final Subscriptions subscriptions = new Subscriptions();
    private final AtomicBoolean open = new AtomicBoolean(true);

    /** {@code identity} is null for a CONNECT without a token (it must send auth). */
    SioSocket(String connectionId, Identity identity, EngineSession engine, SocketIoEndpoint endpoint) {
        this.connectionId = connectionId;
        this.identity = identity;
        this.userId = identity == null ? null : identity.userId();
        this.engine = engine;
        this.endpoint = endpoint;
    }

    EngineSession engine() {
        return engine;
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

    @Override
    public Subscriptions subscriptions() { return subscriptions; }

    @Override
    public void reply(ServerReply reply) {
        if (!open.get()) {
            return;
        }
        Long ackId = ackIdOf(reply.ref());
        if (ackId != null) {
            endpoint.send(engine, EngineCodec.message(reply.ok() ? SioCodec.ackOk(ackId, reply.data())
                    : SioCodec.ackError(ackId, reply.error())));
        } else if (!reply.ok() && reply.error() != null) {
            endpoint.send(engine, EngineCodec.message(SioCodec.event(Protocol.ERROR, Json.tree(reply.error()))));
        }
        // An ok reply to a request without an ack callback has nowhere to go.
    }

    @Override
    public void deliver(OutboundEvent event) {
        if (open.get()) {
            endpoint.send(engine, event.socketIoText());
        }
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    /** True for the one caller that closed it (who then cleans up). */
    boolean markClosed() {
        return open.compareAndSet(true, false);
    }

    private static Long ackIdOf(String ref) {
        if (ref == null) {
            return null;
        }
        try {
            return Long.parseLong(ref);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
