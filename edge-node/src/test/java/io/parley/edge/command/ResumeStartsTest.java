/*
 * ResumeStartsTest owns the proof of how recoveries start at the edge: a resume takes one permit
 * per room, all or none (none: UNAVAILABLE with retryAfterMs and nothing published), and publishes
 * one join per room, each on a ref of its own with its recovery pending on it; a failed publish
 * ends that room's recovery and gives its permit back; Socket.IO recovery refuses without permits.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.event.RoomCommand;
import io.parley.edge.guard.PipelineLag;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.recovery.ResumeConfig;
import io.parley.edge.recovery.Resumer;
import io.parley.edge.recovery.RoomRecovery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ResumeStartsTest extends CommandFixture {
    private final Resumer resumer = new Resumer(new ResumeConfig(null, 2, 0, 100, 0), null, 1000);
    private final ResumeStarts starts = new ResumeStarts(records, new PipelineLag(0));

    ResumeStartsTest() {
        starts.useResumer(resumer);
    }

    @AfterEach
    void close() {
        resumer.close();
    }

    private static Map<String, Long> rooms(String... rooms) {
        Map<String, Long> lastSeqs = new LinkedHashMap<>();
        for (int i = 0; i < rooms.length; i++) {
            lastSeqs.put(rooms[i], 10L + i);
        }
        return lastSeqs;
    }

    private void resume(String ref, Map<String, Long> rooms) {
        starts.resume(alice, ref, rooms, true, EdgeMetrics.current().command(new Command.Resume(rooms)));
    }

    @Test
    void aResumePublishesOneJoinPerRoomEachOnARefOfItsOwn() {
        resume("1", rooms("r1", "r2"));
        assertThat(publisher.roomCommands).extracting(RoomCommand::roomId).containsExactly("r1", "r2");
        assertThat(publisher.roomCommands).extracting(RoomCommand::body).containsOnly(new RoomCommand.Join());
        assertThat(publisher.roomCommands).extracting(RoomCommand::ref).doesNotHaveDuplicates()
                .allSatisfy(ref -> assertThat(ref).startsWith(RoomRecovery.REF_PREFIX));
        assertThat(alice.subscriptions().requestedRooms()).containsExactlyInAnyOrder("r1", "r2");
        for (RoomCommand join : publisher.roomCommands) {
            assertThat(alice.subscriptions().takePendingResume(join.ref())).isNotNull();
        }
        assertThat(alice.replies).isEmpty(); // the processors' answers go to the Resumer
    }

    @Test
    void withoutAPermitForEveryRoomNothingIsPublishedAndTheClientIsToldWhenToRetry() {
        resume("1", rooms("r1", "r2", "r3"));
        assertThat(publisher.roomCommands).isEmpty();
        assertThat(alice.replies).singleElement().satisfies(reply -> {
            assertThat(reply.ref()).isEqualTo("1");
            assertThat(reply.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(reply.error().retryAfterMs()).isEqualTo(ResumeConfig.RETRY_AFTER_MS);
        });
        assertThat(starts.recoverSession(alice, rooms("r1", "r2", "r3"))).isFalse();
        assertThat(publisher.roomCommands).isEmpty();
        assertThat(resumer.reserve(2)).as("a refusal takes no permit").isTrue();
    }

    @Test
    void aFailedPublishEndsThatRoomsRecoveryAndGivesItsPermitBack() {
        publisher.failWith(new IllegalStateException("Kafka is down"));
        assertThat(starts.recoverSession(alice, rooms("r1", "r2"))).isTrue();
        assertThat(publisher.roomCommands).hasSize(2);
        for (RoomCommand join : publisher.roomCommands) {
            assertThat(alice.subscriptions().takePendingResume(join.ref())).isNull();
        }
        assertThat(resumer.reserve(2)).isTrue();
    }
}
