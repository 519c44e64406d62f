/*
 * TokenLifecycle owns authentication after the handshake, the same for every protocol: the
 * first-message auth of a connection opened without a token (answered by auth-success, or closed
 * with AUTH_TIMEOUT), token renewal on an open connection (auth / refresh with a token of the same
 * sub), the token-expiring warning and the close when a token expires unrenewed. Its timers run on
 * one shared scheduler for the whole node: a connection costs one cancellable queue entry (the
 * warning's timer schedules the expiry's when it fires), no thread.
 */
package io.parley.edge.auth;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.auth.Identity;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.AuthProtocol;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Thread-safe; one per node. */
public final class TokenLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(TokenLifecycle.class);
    /** A token accepted within the clock skew after its exp still gets this long to be refreshed. */
    static final long MIN_REMAINING_MS = 2_000;

    /**
     * A connection whose authentication this class drives (the native session, the Socket.IO
     * socket). Its {@link ClientConnection#userId()} is null until it is authenticated; until then it
     * is in no registry and nothing of it is published.
     */
    public interface Target extends ClientConnection {
        /**
         * A token was verified for this connection (called with the connection's lock held). The
         * first time, the connection becomes a connected client (registry, connect published);
         * later, it takes the renewed identity (same user id, later expiry).
         */
        void authenticated(Identity identity);

        /** Tell the client {@code error} and close the connection with {@code closeCode} (token expired, auth timeout). */
        void end(int closeCode, ErrorBody error);
    }

    /**
     * The pending timer of one connection (auth deadline, then the warning, then the expiry: one at
     * a time, ~130 bytes less per idle connection than two; issue 10 (d)); replaced as a whole.
     */
    private static final class Timers {
        private volatile ScheduledFuture<?> next;

        void cancel() {
            ScheduledFuture<?> future = next;
            if (future != null) {
                future.cancel(false);
            }
        }
    }

    private final UpgradeAuthenticator authenticator;
    private final SessionAuthConfig config;
    private final LongSupplier clock;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ConcurrentHashMap<Target, Timers> timers = new ConcurrentHashMap<>();

    public TokenLifecycle(UpgradeAuthenticator authenticator, SessionAuthConfig config, LongSupplier clock) {
        this.authenticator = authenticator;
        this.config = config;
        this.clock = clock;
        this.scheduler = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().name("parley-token-timer").daemon(true).unstarted(r));
        scheduler.setRemoveOnCancelPolicy(true);
    }

    public SessionAuthConfig config() {
        return config;
    }

    /** A connection opened without a token: it must authenticate within the auth timeout. */
    public void awaitAuthentication(Target target) {
        Timers deadline = new Timers();
        deadline.next = scheduler.schedule(() -> authDeadline(target), config.authTimeoutMs(), TimeUnit.MILLISECONDS);
        replace(target, deadline);
    }

    /** A connection authenticated at its handshake: warn before, and close at, its token's expiry. */
    public void track(Target target) {
        Identity identity = target.identity();
        if (identity != null) {
            schedule(target, identity);
        }
    }

    /** The connection is gone: its timers are dropped. */
    public void forget(Target target) {
        Timers old = timers.remove(target);
        if (old != null) {
            old.cancel();
        }
    }

    /**
     * An {@code auth} or {@code refresh} request with {@code token}: answered (reply to {@code ref})
     * with {@code {userId, expiresAt}}, plus an {@code auth-success} event when the connection
     * becomes authenticated; AUTHENTICATION_FAILED for a bad token (a pending connection stays
     * pending, an authenticated one keeps its current token); AUTHORIZATION_FAILED for a token of
     * another user.
     */
    public void authenticate(Target target, String ref, String token) {
        TokenVerifier.Result result = authenticator.verify(token);
        if (result instanceof TokenVerifier.Rejected rejected) {
            target.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED, rejected.reason())));
            return;
        }
        Identity fresh = ((TokenVerifier.Verified) result).identity();
        boolean first;
        synchronized (target) {
            if (!target.isOpen()) {
                return;
            }
            Identity current = target.identity();
            if (current != null && !current.sameUser(fresh)) {
                target.reply(ServerReply.error(ref, ErrorBody.of(ErrorCode.AUTHORIZATION_FAILED,
                        "the new token is for another user; connect again to change user")));
                return;
            }
            first = current == null;
            target.authenticated(fresh);
            if (!target.isOpen()) {
                return; // refused at a connection limit: the target already told the client and closed
            }
        }
        schedule(target, fresh);
        var data = Json.tree(new AuthProtocol.AuthSuccess(fresh.userId(), fresh.expiresAt().toEpochMilli()));
        target.reply(ServerReply.ok(ref, data));
        if (first) {
            target.deliver(new OutboundEvent(AuthProtocol.AUTH_SUCCESS, data));
        }
    }

    /** Connections with pending timers (tests and metrics). */
    public int tracked() {
        return timers.size();
    }

    public void stop() {
        scheduler.shutdownNow();
        timers.clear();
    }

    private void schedule(Target target, Identity identity) {
        long remaining = Math.max(identity.expiresAt().toEpochMilli() - clock.getAsLong(), MIN_REMAINING_MS);
        long lead = Math.min(config.expiryWarningMs(), remaining / 2);
        Timers next = new Timers();
        next.next = scheduler.schedule(() -> warn(target, identity, next, lead), remaining - lead, TimeUnit.MILLISECONDS);
        replace(target, next);
    }

    private void replace(Target target, Timers next) {
        Timers old = timers.put(target, next);
        if (old != null) {
            old.cancel();
        }
        if (!target.isOpen()) {
            forget(target); // closed meanwhile: its cleanup may have run before the put
        }
    }

    /** Warns, then schedules the expiry {@code lead} ms later on the same Timers (unless they were replaced or dropped). */
    private void warn(Target target, Identity identity, Timers timer, long lead) {
        try {
            if (target.isOpen() && target.identity() == identity) {
                target.deliver(new OutboundEvent(AuthProtocol.TOKEN_EXPIRING,
                        Json.tree(new AuthProtocol.TokenExpiring(identity.expiresAt().toEpochMilli()))));
            }
        } catch (RuntimeException e) {
            LOG.error("token warning of connection {} failed", target.connectionId(), e);
        }
        if (timers.get(target) != timer) {
            return; // refreshed (the new token has its own timers) or forgotten
        }
        timer.next = scheduler.schedule(() -> expire(target, identity), lead, TimeUnit.MILLISECONDS);
        if (timers.get(target) != timer) {
            timer.next.cancel(false); // replaced or forgotten meanwhile: its cancel saw the warning's timer
        }
    }

    private void expire(Target target, Identity identity) {
        try {
            if (target.isOpen() && target.identity() == identity) {
                timers.remove(target);
                LOG.debug("connection {} of {}: token expired", target.connectionId(), identity.userId());
                target.end(AuthProtocol.CLOSE_TOKEN_EXPIRED, ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED, "token expired"));
            }
        } catch (RuntimeException e) {
            LOG.error("token expiry of connection {} failed", target.connectionId(), e);
        }
    }

    private void authDeadline(Target target) {
        try {
            if (target.isOpen() && target.identity() == null) {
                timers.remove(target);
                target.end(AuthProtocol.CLOSE_AUTH_TIMEOUT, ErrorBody.of(ErrorCode.AUTH_TIMEOUT,
                        "no valid " + AuthProtocol.AUTH + " within " + config.authTimeoutMs() + " ms"));
            }
        } catch (RuntimeException e) {
            LOG.error("auth deadline of connection {} failed", target.connectionId(), e);
        }
    }
}
