/*
 * StockHelidonServer owns the baseline of the idle-memory benchmark: a stock Helidon 4 WebSocket
 * server (echo, no Parley code, the edge node's JVM flags) on 127.0.0.1, so the cost Parley adds
 * per idle connection on top of Helidon's own is measured on the same machine in the same run.
 */
package io.parley.loadgen;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

public final class StockHelidonServer {
    private StockHelidonServer() {}

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8095;
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .idleConnectionTimeout(Duration.ofMinutes(10))
                .addRouting(WsRouting.builder().endpoint("/ws", () -> new WsListener() {
                    @Override
                    public void onMessage(WsSession session, String text, boolean last) {
                        synchronized (session) {
                            session.send(text, last);
                        }
                    }
                }))
                .build()
                .start();
        System.out.println("stock Helidon WebSocket echo at ws://127.0.0.1:" + server.port() + "/ws (pid "
                + ProcessHandle.current().pid() + ")");
        new CountDownLatch(1).await();
    }
}
