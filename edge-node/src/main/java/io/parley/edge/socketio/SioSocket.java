/*
 * SioSocket owns one connected Socket.IO socket (default namespace) as a protocol-neutral
 * ClientConnection: replies become ACK packets ({success, data} / {success:false, error}) or, for
 * a request without an ack id, an "error" event; room events go out in their shared Socket.IO
 * encoding. It lives on an EngineSession, whose outbox carries its packets.
 */
package io.parley.edge.socketio;

import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.OutboundEvent;
import io.parley.edge.session.Subscriptions;

import java.util.concurrent.atomic.AtomicBoolean;

/** Thread-safe; every method only queues. */
final class SioSocket implements ClientConnection {
    private final String connectionId;
    private final String userId;
    private final EngineSession engine;
    private final SocketIoEndpoint endpoint;
    private final Subscriptions subscriptions = new Subscriptions();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final long connectedAt = System.currentTimeMillis();

    SioSocket(String connectionId, String userId, EngineSession engine, SocketIoEndpoint endpoint) {
        this.connectionId = connectionId;
        this.userId = userId;
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
    public Subscriptions subscriptions() { return subscriptions; }

    @Override
    public void reply(ServerReply reply) {
        if (!reply.ok() && reply.error() != null) {
            EdgeMetrics.current().error(reply.error().code());
        }
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

    @Override
    public String protocol() { return "socketio"; }

    @Override
    public long connectedAt() { return connectedAt; }

    @Override
    public int queueDepth() { return engine.queueDepth(); }

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
