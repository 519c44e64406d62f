/*
 * BackpressureTest owns the proof that the command service refuses new work with UNAVAILABLE and
 * retryAfterMs, without publishing it, while the pipeline lags past the bound; that a leave is
 * never refused; that answers (and failed publishes) release the signal; and that a join burst is
 * admitted (joins have their own bound) while sends past the bound are refused.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.edge.guard.PipelineLag;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.publish.RecordingPublisher;
import io.parley.edge.session.FakeConnection;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class BackpressureTest {
    private static final long T = 1_700_000_000_000L;
    private final AtomicLong now = new AtomicLong(T);
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final PipelineLag lag = new PipelineLag(1_000);
    private final CommandService service = new CommandService("edge-1", 0, publisher, new RateLimitTable(), now::get, lag);
    private final FakeConnection alice = new FakeConnection("conn-1", "alice");

    @Test
    void pastTheBoundNewWorkIsRefusedCleanlyAndALeaveStillGoesThrough() {
        service.handle(alice, "1", new Command.MarkRead("r1", 1)); // published, unanswered
        now.set(T + 1_500);
        lag.refresh(now.get());
        int published = publisher.roomCommands.size();

        service.handle(alice, "2", new Command.JoinRoom("r2"));
        service.handle(alice, "3", new Command.MarkRead("r1", 1));
        service.handle(alice, "4", new Command.StartTyping("r1"));
        assertThat(publisher.roomCommands).hasSize(published);
        assertThat(alice.replies).hasSize(3).allSatisfy(reply -> {
            assertThat(reply.ok()).isFalse();
            assertThat(reply.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(reply.error().retryAfterMs()).isEqualTo(500L);
        });
        assertThat(lag.refused()).isEqualTo(3);

        service.handle(alice, "5", new Command.LeaveRoom("r1"));
        assertThat(publisher.roomCommands).hasSize(published + 1);

        lag.answered("conn-1"); // the mark-read's answer
        lag.answered("conn-1"); // the leave's
        lag.refresh(now.get());
        service.handle(alice, "6", new Command.JoinRoom("r2"));
        assertThat(publisher.roomCommands).hasSize(published + 2);
    }

    @Test
    void aFailedPublishReleasesItsPlace() {
        publisher.failWith(new IllegalStateException("Kafka is down"));
        service.handle(alice, "1", new Command.JoinRoom("r1"));
        now.set(T + 5_000);
        lag.refresh(now.get());
        assertThat(lag.oldestAgeMs()).isZero();
    }

    @Test
    void aColdStacksJoinBurstIsAdmittedWhileAnOverloadOfSendsIsRefused() {
        PipelineLag lag = new PipelineLag(1_000, 30_000);
        CommandService service = new CommandService("edge-1", 0, publisher, new RateLimitTable(), now::get, lag);
        java.util.List<FakeConnection> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            clients.add(new FakeConnection("conn-" + i, "user-" + i));
        }
        for (int i = 0; i < 100; i++) { // the first half joins; the processors are slow to answer (cold)
            service.handle(clients.get(i), "j", new Command.JoinRoom("room-" + (i % 10)));
        }
        now.set(T + 5_000);
        lag.refresh(now.get());
        for (int i = 100; i < 200; i++) { // the second half joins 5 s later, the first joins still unanswered
            service.handle(clients.get(i), "j", new Command.JoinRoom("room-" + (i % 10)));
        }
        assertThat(publisher.roomCommands).hasSize(200); // every join admitted
        assertThat(clients).allSatisfy(c -> assertThat(c.replies).isEmpty());

        // Sends pile up behind them: past the sends' bound they are refused, joins still go through.
        service.handle(clients.get(0), "s1", new Command.SendMessage("room-0", "hello", "text", "m-1", null));
        now.set(T + 6_500);
        lag.refresh(now.get());
        service.handle(clients.get(1), "s2", new Command.SendMessage("room-1", "hello", "text", "m-2", null));
        assertThat(clients.get(1).replies).singleElement().satisfies(reply -> {
            assertThat(reply.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(reply.error().retryAfterMs()).isEqualTo(500L);
        });
        FakeConnection late = new FakeConnection("conn-late", "late");
        service.handle(late, "j", new Command.JoinRoom("room-0"));
        assertThat(late.replies).isEmpty();
        assertThat(publisher.roomCommands.getLast().roomId()).isEqualTo("room-0");
        assertThat(lag.refused()).isEqualTo(1);
    }
}
