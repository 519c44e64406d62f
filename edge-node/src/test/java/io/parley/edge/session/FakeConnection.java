/*
 * FakeConnection owns a ClientConnection test double that records what it was sent.
 */
package io.parley.edge.session;

import io.parley.contracts.auth.Identity;
import io.parley.contracts.wire.ServerReply;

import java.time.Instant;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

public final class FakeConnection implements ClientConnection {
    public final List<ServerReply> replies = new CopyOnWriteArrayList<>();
    public final List<OutboundEvent> events = new CopyOnWriteArrayList<>();
    private final String id;
    private final String userId;
    private final Subscriptions subscriptions = new Subscriptions();
    private final String username;
    private final String avatarUrl;
    private volatile boolean open = true;

    public FakeConnection(String id, String userId) {
        this(id, userId, userId, null);
    }

    /** A connection whose token carried display claims. */
    public FakeConnection(String id, String userId, String username, String avatarUrl) {
        this.id = id;
        this.userId = userId;
        this.username = username;
        this.avatarUrl = avatarUrl;
    }

    public void close() {
        open = false;
    }

    @Override public String connectionId() { return id; }

    @Override public String userId() { return userId; }

    @Override public Identity identity() {
        return new Identity(userId, username == null || username.equals(userId) ? null : username, avatarUrl,
                Instant.now().plusSeconds(3600));
    }

    @Override public Subscriptions subscriptions() { return subscriptions; }

    @Override public void reply(ServerReply reply) { replies.add(reply); }

    @Override public void deliver(OutboundEvent event) { events.add(event); }

    @Override public boolean isOpen() { return open; }
}
