/*
 * TappedWsUpgrader owns the WebSocket upgrade of this node's HTTP/1.1 listener (/ws and
 * /socket.io/): Helidon's WsUpgrader does the handshake and creates its WsConnection, but on a
 * connection context whose reader first shows every byte to a FrameTap (the route's listener, a
 * TappedListener, finds it there at open), so what Helidon 4.3.1 does not check of RFC 6455 (strict
 * UTF-8 -> 1007, control frames over 125 bytes -> 1002, ...) is checked here. Installed as the
 * first HTTP/1.1 connection selector by EdgeNode.
 */
package io.parley.edge.ws;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

/** Thread-safe; one per listener. */
public final class TappedWsUpgrader extends WsUpgrader {

    public TappedWsUpgrader(WsConfig config) {
        super(config);
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        FrameTap tap = new FrameTap();
        return super.upgrade(new TappedContext(ctx, tap), prologue, headers);
    }

    /** The connection context Helidon's WsConnection reads from: the same, but its reader feeds the tap first. */
    static final class TappedContext implements ConnectionContext {
        private final ConnectionContext ctx;
        private final FrameTap tap;
        private final DataReader reader;

        TappedContext(ConnectionContext ctx, FrameTap tap) {
            this.ctx = ctx;
            this.tap = tap;
            DataReader original = ctx.dataReader();
            this.reader = new DataReader(() -> {
                if (original.available() == 0) {
                    original.pullData(); // blocks; throws at end of stream, as Helidon's own reader does
                }
                byte[] bytes = original.readBytes(original.available());
                tap.feed(bytes);
                return bytes;
            });
        }

        FrameTap tap() {
            return tap;
        }

        @Override public ListenerContext listenerContext() { return ctx.listenerContext(); }

        @Override public ExecutorService executor() { return ctx.executor(); }

        @Override public DataWriter dataWriter() { return ctx.dataWriter(); }

        @Override public DataReader dataReader() { return reader; }

        @Override public Router router() { return ctx.router(); }

        @Override public Optional<ProxyProtocolData> proxyProtocolData() { return ctx.proxyProtocolData(); }

        @Override public HelidonSocket serverSocket() { return ctx.serverSocket(); }

        @Override public PeerInfo remotePeer() { return ctx.remotePeer(); }

        @Override public PeerInfo localPeer() { return ctx.localPeer(); }

        @Override public boolean isSecure() { return ctx.isSecure(); }

        @Override public String socketId() { return ctx.socketId(); }

        @Override public String childSocketId() { return ctx.childSocketId(); }
    }
}
