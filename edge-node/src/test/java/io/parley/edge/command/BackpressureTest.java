/*
 * BackpressureTest owns the proof that the command service refuses new work with UNAVAILABLE and
 * retryAfterMs, without publishing it, while the pipeline lags past the bound; that a leave is
 * never refused; and that answers (and failed publishes) release the signal.
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
        service.handle(alice, "1", new Command.JoinRoom("r1"));   // published, unanswered
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

        lag.answered("conn-1"); // the join's answer
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
}
