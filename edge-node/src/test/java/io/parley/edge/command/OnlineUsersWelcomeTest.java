/*
 * OnlineUsersWelcomeTest owns the proof that a connect burst shares its online-users greeting:
 * connections opening while a presence-view read is in flight are answered by that read, with one
 * OutboundEvent (encoded once, one String in every send queue) naming all of them; a failed read
 * greets nobody and the next connection reads again.
 */
package io.parley.edge.command;

import io.parley.contracts.wire.Protocol;
import io.parley.edge.session.FakeConnection;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OnlineUsersWelcomeTest {

    /** A view whose reads the test answers by hand. */
    private static final class HandView implements PresenceReader {
        final List<CompletableFuture<List<String>>> reads = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Protocol.OnlineUsers> onlineUsers(String roomId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<List<String>> onlineUserIds() {
            CompletableFuture<List<String>> read = new CompletableFuture<>();
            reads.add(read);
            return read;
        }
    }

    @Test
    void connectionsOpeningDuringAReadShareItsOneEvent() {
        HandView view = new HandView();
        OnlineUsersWelcome welcome = new OnlineUsersWelcome(() -> view);
        FakeConnection a = new FakeConnection("c1", "alice");
        FakeConnection b = new FakeConnection("c2", "bob");
        FakeConnection c = new FakeConnection("c3", "carol");
        welcome.welcome(a);
        welcome.welcome(b);
        welcome.welcome(c);
        assertThat(view.reads).hasSize(1); // one read for the burst
        assertThat(a.events).isEmpty();

        view.reads.getFirst().complete(List.of("bob", "dave"));
        assertThat(a.events).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("online-users");
            assertThat(e.data().toString()).isEqualTo("[\"bob\",\"dave\",\"alice\",\"carol\"]");
        });
        assertThat(b.events.getFirst()).isSameAs(a.events.getFirst());
        assertThat(c.events.getFirst()).isSameAs(a.events.getFirst());

        // The next connection gets a read of its own (after the minimum interval), with itself in it.
        FakeConnection d = new FakeConnection("c4", "erin");
        welcome.welcome(d);
        await().until(() -> view.reads.size() == 2);
        view.reads.get(1).complete(List.of("bob"));
        assertThat(d.events).singleElement().satisfies(e -> assertThat(e.data().toString()).isEqualTo("[\"bob\",\"erin\"]"));
        assertThat(a.events).hasSize(1);
    }

    @Test
    void aFailedReadGreetsNobodyAndTheNextConnectionReadsAgain() {
        HandView view = new HandView();
        OnlineUsersWelcome welcome = new OnlineUsersWelcome(() -> view);
        FakeConnection a = new FakeConnection("c1", "alice");
        welcome.welcome(a);
        view.reads.getFirst().completeExceptionally(new IllegalStateException("redis down"));
        assertThat(a.events).isEmpty();
        FakeConnection b = new FakeConnection("c2", "bob");
        welcome.welcome(b);
        assertThat(view.reads).hasSize(2);
        view.reads.get(1).complete(List.of());
        assertThat(b.events).singleElement().satisfies(e -> assertThat(e.data().toString()).isEqualTo("[\"bob\"]"));
        assertThat(a.events).isEmpty();
    }
}
