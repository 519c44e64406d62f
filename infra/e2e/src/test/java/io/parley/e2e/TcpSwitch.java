/*
 * TcpSwitch owns, for the end-to-end tests, the part of a load balancer that matters to a
 * reconnecting client: a loopback TCP port forwarding each connection to the edge node it points
 * at now, which can cut every connection and refuse new ones (a network drop) and then point at
 * another edge node, so a stock client reconnects to "the same URL" and lands on the other node.
 */
package io.parley.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

final class TcpSwitch implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** The port connections go to; 0: refused. */
    private volatile int target;

    private TcpSwitch(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-switch").start(this::acceptLoop);
    }

    static TcpSwitch to(int targetPort) throws IOException {
        return new TcpSwitch(targetPort);
    }

    int port() {
        return server.getLocalPort();
    }

    /** New connections go to {@code targetPort} from now on. */
    void pointAt(int targetPort) {
        target = targetPort;
    }

    /** Drops every connection now and refuses new ones until {@link #pointAt}. */
    void cut() {
        target = 0;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            int port = target;
            if (port == 0) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
