/*
 * Client owns one load-generator connection on java.net.http.WebSocket: connecting with a token,
 * reassembling text frames, serialising sends (the JDK allows one outstanding send per socket),
 * and handing each complete frame to its protocol (NativeClient for Parley's /ws, SocketIoClient
 * for the Socket.IO yardstick), which reports replies and deliveries to the Tally. With resume on
 * (LoadGenerator.resuming), a socket that closes or fails after it was open (4503, 1001, 1006,
 * any) is opened again, to the next target node in turn, after a short growing backoff, and the
 * protocol resumes on it (NativeClient: its rooms from their last seq, unacked sends again).
 */
package io.parley.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/** One connection. Listener callbacks of one socket never run concurrently (JDK contract). */
public abstract class Client implements WebSocket.Listener {
    /** Connections the server closed or that failed after they were open, over all clients. */
    static final AtomicLong DROPPED = new AtomicLong();
    /** Sockets opened again after a drop (resume on), over all clients. */
    static final AtomicLong RECONNECTS = new AtomicLong();
    /** Reconnect attempts (resume on), over all clients; the last failure, for reports. */
    static final AtomicLong RECONNECT_ATTEMPTS = new AtomicLong();
    /** Calls of dropped() (diagnostics). */
    static final AtomicLong DROPS_SEEN = new AtomicLong();
    static volatile String lastReconnectFailure;
    private static final long MAX_BACKOFF_MS = 2_000;
    /**
     * Where delayed reconnects and resume retries run: threads of their own, never the common
     * ForkJoinPool (one worker on two cores, which a caller may keep busy with a whole run).
     */
    static final java.util.concurrent.Executor TIMERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loadgen-reconnect");
        t.setDaemon(true);
        return t;
    });

    /** Runs {@code task} on {@link #TIMERS} after {@code delayMs}. */
    static void later(long delayMs, Runnable task) {
        CompletableFuture.delayedExecutor(delayMs, java.util.concurrent.TimeUnit.MILLISECONDS, TIMERS).execute(task);
    }

    final int index;
    final String userId;
    final String token;
    final Tally tally;
    final Tally.Receiver receiver;
    /** Members of the room this client sends to (expected deliveries per send). */
    volatile int members;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile WebSocket ws;
    private CompletableFuture<WebSocket> tail;
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean closing;
    /** Resume on: reconnect after a drop. */
    volatile boolean resume;
    /** Every target node's URL; a reconnect goes to the next one in turn. */
    volatile java.util.List<String> urls = java.util.List.of();
    private volatile HttpClient http;
    private volatile Duration timeout;
    private int attempts;
    private int rotation;
    /** False from a drop until the next socket is open. */
    volatile boolean up;

    Client(int index, String userId, String token, Tally tally) {
        this.index = index;
        this.userId = userId;
        this.token = token;
        this.tally = tally;
        this.receiver = tally.receiver();
    }

    /** Which protocol a load generator speaks. */
    public enum Kind { PARLEY, SOCKETIO }

    static Client create(Kind kind, int index, String userId, String token, Tally tally) {
        return kind == Kind.PARLEY ? new NativeClient(index, userId, token, tally)
                : new SocketIoClient(index, userId, token, tally);
    }

    abstract URI uri(String base);

    abstract void configure(WebSocket.Builder builder);

    /** Handles one complete text frame. */
    abstract void onFrame(String frame, long nowNanos);

    /** Joins a room; completes with the room's latest seq at the join. */
    abstract CompletableFuture<Long> join(String roomId);

    /** Sends one message (the clientMsgId is its ref / ack key). */
    abstract void sendMessage(String roomId, String text, String clientMsgId);

    /** Keeps the connection alive (application-level ping where the protocol needs one). */
    abstract void keepAlive();

    /** Opens the socket; {@link #ready} completes when the protocol handshake is done. */
    CompletableFuture<Void> connect(HttpClient http, String base, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
        configure(builder);
        builder.buildAsync(uri(base), this).whenComplete((w, failure) -> {
            if (failure != null) {
                ready.completeExceptionally(failure);
            }
        });
        return ready.orTimeout(timeout.toMillis() * 2, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        boolean again;
        synchronized (this) {
            ws = webSocket;
            tail = CompletableFuture.completedFuture(webSocket);
            partial.setLength(0);
            again = ready.isDone();
            attempts = 0;
            up = true;
        }
        if (again) {
            RECONNECTS.incrementAndGet();
            reopened();
        } else {
            opened();
        }
        webSocket.request(1);
    }

    /** The socket is open (native: authenticated, so ready). */
    void opened() {}

    /** A socket opened again after a drop (resume on): resume the protocol's state on it. */
    void reopened() {}

    /** The socket {@code webSocket} ended (closed or failed) while this client was not closing it. */
    private void dropped(WebSocket webSocket) {
        DROPS_SEEN.incrementAndGet();
        synchronized (this) {
            if (webSocket != ws || !up) {
                return; // an old socket, or already handled
            }
            up = false;
        }
        lost();
        if (resume && !closing && ready.isDone() && !ready.isCompletedExceptionally()) {
            reconnectLater();
        }
    }

    /** The protocol's hook when its socket is gone (before any reconnect). */
    void lost() {}

    /** Closes the current socket (abort) so that it is reconnected: a protocol that gave up on it. */
    void restart() {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
            dropped(w);
        }
    }

    private void reconnectLater() {
        long backoff;
        String url;
        synchronized (this) {
            attempts++;
            backoff = Math.min(MAX_BACKOFF_MS, 100L << Math.min(5, attempts - 1))
                    + java.util.concurrent.ThreadLocalRandom.current().nextLong(100);
            java.util.List<String> targets = urls;
            url = targets.get((index + ++rotation) % targets.size());
        }
        later(backoff, () -> {
            if (closing) {
                return;
            }
            RECONNECT_ATTEMPTS.incrementAndGet();
            try {
                WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
                configure(builder);
                builder.buildAsync(uri(url), this).whenComplete((w, failure) -> {
                    if (failure != null && !closing) {
                        lastReconnectFailure = url + ": " + failure;
                        reconnectLater();
                    }
                });
            } catch (RuntimeException e) {
                lastReconnectFailure = url + ": " + e;
                reconnectLater();
            }
        });
    }

    /** Queues a text frame behind this socket's previous one. */
    void sendText(String text) {
        synchronized (this) {
            if (tail == null || closing) {
                return;
            }
            WebSocket current = ws;
            tail = tail.thenCompose(w -> w.sendText(text, true)).exceptionally(failure -> {
                // A send that fails means the socket is gone, whether or not the JDK tells the listener.
                if (resume && !closing) {
                    current.abort();
                    dropped(current);
                }
                return current;
            });
        }
    }

    /** Drops (and, resume on, reopens) a socket the JDK reports closed without having called the listener. */
    void checkAlive() {
        WebSocket w = ws;
        if (resume && up && w != null && (w.isInputClosed() || w.isOutputClosed())) {
            w.abort();
            dropped(w);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long now = System.nanoTime();
        if (last && partial.isEmpty()) {
            onFrame(data.toString(), now);
        } else {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                onFrame(frame, now);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (!closing) {
            DROPPED.incrementAndGet();
        }
        ready.completeExceptionally(new IllegalStateException("closed by the server: " + statusCode + " " + reason));
        dropped(webSocket);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!closing && ready.isDone()) {
            DROPPED.incrementAndGet();
        }
        ready.completeExceptionally(error);
        dropped(webSocket);
    }

    void close() {
        closing = true;
        WebSocket w = ws;
        if (w != null) {
            w.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(t -> null);
            w.abort();
        }
    }
}
