package io.parley.edge.auth;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.Identity;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.wire.AuthProtocol;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.session.OutboundEvent;
import io.parley.edge.session.Subscriptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TokenLifecycleTest {
    private static final String SECRET = "a-unit-test-secret-that-is-32-bytes-long";
    private static final TokenIssuer ISSUER = new TokenIssuer(SECRET, "parley", "parley");
    private final TokenLifecycle lifecycle = new TokenLifecycle(
            new UpgradeAuthenticator(new TokenVerifier(AuthConfig.hs256(SECRET, "parley", "parley"))),
            new SessionAuthConfig(200, 30_000), System::currentTimeMillis);

    @AfterEach
    void stop() {
        lifecycle.stop();
    }

    /** A connection that records what it is told. */
    static final class Target implements TokenLifecycle.Target {
        final List<ServerReply> replies = new CopyOnWriteArrayList<>();
        final List<OutboundEvent> events = new CopyOnWriteArrayList<>();
        volatile Identity identity;
        volatile int activations;
        volatile Integer closedWith;
        volatile ErrorBody endError;

        @Override public String connectionId() { return "c-1"; }
        @Override public String userId() { return identity == null ? null : identity.userId(); }
        @Override public Identity identity() { return identity; }
        @Override public Subscriptions subscriptions() { return new Subscriptions(); }
        @Override public void reply(ServerReply reply) { replies.add(reply); }
        @Override public void deliver(OutboundEvent event) { events.add(event); }
        @Override public boolean isOpen() { return closedWith == null; }

        @Override
        public void authenticated(Identity fresh) {
            if (identity == null) {
                activations++;
            }
            identity = fresh;
        }

        @Override
        public void end(int closeCode, ErrorBody error) {
            endError = error;
            closedWith = closeCode;
        }
    }

    @Test
    void firstAuthActivatesOnceAndAnswersWithAuthSuccessARefreshOnlyReplies() {
        Target target = new Target();
        lifecycle.awaitAuthentication(target);
        lifecycle.authenticate(target, "1", ISSUER.mint("ann", Duration.ofMinutes(5)));
        assertThat(target.activations).isEqualTo(1);
        assertThat(target.replies.getLast().ok()).isTrue();
        assertThat(target.replies.getLast().data().get("userId").asText()).isEqualTo("ann");
        assertThat(target.events).extracting(OutboundEvent::event).containsExactly(AuthProtocol.AUTH_SUCCESS);

        lifecycle.authenticate(target, "2", ISSUER.mint("ann", Duration.ofMinutes(10)));
        assertThat(target.activations).isEqualTo(1);
        assertThat(target.replies.getLast().ok()).isTrue();
        assertThat(target.events).hasSize(1);
        assertThat(lifecycle.tracked()).isEqualTo(1);
    }

    @Test
    void aBadTokenKeepsThePendingStateAndAnotherUsersTokenIsNotAuthorized() {
        Target target = new Target();
        lifecycle.authenticate(target, "1", "not.a.token");
        assertThat(target.identity).isNull();
        assertThat(target.replies.getLast().error().code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);

        lifecycle.authenticate(target, "2", ISSUER.mint("bo", Duration.ofMinutes(5)));
        Identity bo = target.identity;
        lifecycle.authenticate(target, "3", ISSUER.mint("mallory", Duration.ofMinutes(50)));
        assertThat(target.replies.getLast().error().code()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(target.identity).isSameAs(bo);
    }

    @Test
    void aPendingConnectionWithoutAuthInTimeIsEndedWithAuthTimeout() {
        Target target = new Target();
        lifecycle.awaitAuthentication(target);
        await().atMost(30, TimeUnit.SECONDS).until(() -> target.closedWith != null);
        assertThat(target.closedWith).isEqualTo(AuthProtocol.CLOSE_AUTH_TIMEOUT);
        assertThat(target.endError.code()).isEqualTo(ErrorCode.AUTH_TIMEOUT);
        assertThat(lifecycle.tracked()).isZero();
    }

    @Test
    void aShortTokenIsWarnedThenEndedUnlessRefreshed() {
        Target target = new Target();
        lifecycle.authenticate(target, null, ISSUER.mint("cy", Duration.ofSeconds(3)));
        await().atMost(30, TimeUnit.SECONDS).until(() -> target.events.stream()
                .anyMatch(e -> e.event().equals(AuthProtocol.TOKEN_EXPIRING)));
        await().atMost(30, TimeUnit.SECONDS).until(() -> target.closedWith != null);
        assertThat(target.closedWith).isEqualTo(AuthProtocol.CLOSE_TOKEN_EXPIRED);
        assertThat(target.endError.message()).isEqualTo("token expired");
    }

    @Test
    void forgottenConnectionsHoldNoTimers() {
        Target target = new Target();
        lifecycle.authenticate(target, null, ISSUER.mint("di", Duration.ofMinutes(5)));
        assertThat(lifecycle.tracked()).isEqualTo(1);
        lifecycle.forget(target);
        assertThat(lifecycle.tracked()).isZero();
    }
}
