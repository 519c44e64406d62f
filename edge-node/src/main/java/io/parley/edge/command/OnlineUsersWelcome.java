/*
 * OnlineUsersWelcome owns seed 004's online-users greeting of just-opened connections, batched:
 * one presence-view read and one OutboundEvent (so one JSON encoding per protocol, one shared
 * String in every socket's send queue) for all the connections that opened while a read was in
 * flight or within MIN_INTERVAL_MS of the last successful read. Without it every connection of a
 * connect burst read the whole online-users set and queued its own copy of it (up to MAX_USERS
 * ids, tens of KB): issue 10 (d) measured 2x the heap per idle connection while those copies waited.
 */
package io.parley.edge.command;

import io.parley.contracts.json.Json;
import io.parley.contracts.wire.Protocol;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Thread-safe; never blocks the caller. At most one read in flight. */
final class OnlineUsersWelcome {
    private static final Logger LOG = LoggerFactory.getLogger(OnlineUsersWelcome.class);
    /** After a successful read, the next one waits this long (its batch collects meanwhile). */
    static final long MIN_INTERVAL_MS = 100;

    private final Supplier<PresenceReader> view;
    private final Object lock = new Object();
    private List<ClientConnection> waiting = new ArrayList<>();
    private boolean busy;             // a read is scheduled or running (under lock)
    private long lastSuccessNanos;    // under lock; 0: none yet

    OnlineUsersWelcome(Supplier<PresenceReader> view) {
        this.view = view;
    }

    /** Greets {@code connection} with the next read's online users, itself included. */
    void welcome(ClientConnection connection) {
        long delayMs;
        synchronized (lock) {
            waiting.add(connection);
            if (busy) {
                return;
            }
            busy = true;
            delayMs = delayMs();
        }
        schedule(delayMs);
    }

    private long delayMs() {
        if (lastSuccessNanos == 0) {
            return 0;
        }
        long sinceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastSuccessNanos);
        return Math.max(0, MIN_INTERVAL_MS - sinceMs);
    }

    private void schedule(long delayMs) {
        if (delayMs == 0) {
            read();
        } else {
            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(this::read);
        }
    }

    private void read() {
        CompletionStage<List<String>> stage;
        try {
            stage = view.get().onlineUserIds();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete(this::answer);
    }

    private void answer(List<String> users, Throwable failure) {
        List<ClientConnection> batch;
        synchronized (lock) {
            batch = waiting;
            waiting = new ArrayList<>();
        }
        boolean ok = failure == null && users != null;
        if (ok) {
            LinkedHashSet<String> ids = new LinkedHashSet<>(users);
            for (ClientConnection connection : batch) {
                ids.add(connection.userId()); // just connected: online, even before the view shows it
            }
            OutboundEvent event = new OutboundEvent(Protocol.ONLINE_USERS, Json.tree(new ArrayList<>(ids)));
            for (ClientConnection connection : batch) {
                connection.deliver(event);
            }
        } else {
            LOG.debug("online users not read for {} connections: {}", batch.size(), String.valueOf(failure));
        }
        long delayMs;
        synchronized (lock) {
            if (ok) {
                lastSuccessNanos = System.nanoTime();
            }
            if (waiting.isEmpty()) {
                busy = false;
                return;
            }
            delayMs = delayMs();
        }
        schedule(delayMs);
    }
}
