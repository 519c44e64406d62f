/*
 * ResumeStarts owns starting recoveries at the edge: join-room with lastSeq, resume, and Socket.IO
 * connection-state recovery. It takes one recovery permit per room from the Resumer, all or none
 * (none left: UNAVAILABLE with retryAfterMs, nothing published), then publishes a join per room
 * with a ref of its own; the answers go through the DeliveryHandler to the Resumer
 * (io.parley.edge.recovery), and a failed publish ends that room's recovery at once.
 */
package io.parley.edge.command;

import io.parley.contracts.ErrorCode;
import io.parley.contracts.EventIds;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;
import io.parley.edge.guard.PipelineLag;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.recovery.ResumeBatch;
import io.parley.edge.recovery.ResumeConfig;
import io.parley.edge.recovery.Resumer;
import io.parley.edge.recovery.RoomRecovery;
import io.parley.edge.session.ClientConnection;

import java.util.List;
import java.util.Map;

/** Thread-safe; never blocks (publishing is asynchronous). */
final class ResumeStarts {
    private final CommandRecords records;
    private final PipelineLag lag;
    private volatile Resumer resumer = Resumer.disabled();

    ResumeStarts(CommandRecords records, PipelineLag lag) {
        this.records = records;
        this.lag = lag;
    }

    /** Who recovers resumed rooms; without one they end truncated at once. */
    void useResumer(Resumer resumer) {
        this.resumer = resumer;
    }

    /**
     * Socket.IO connection-state recovery of non-empty {@code rooms}, as a resume that answers
     * nobody; false, with nothing published, when the node has no recovery permits left for them.
     */
    boolean recoverSession(ClientConnection connection, Map<String, Long> rooms) {
        Resumer node = resumer;
        if (!node.reserve(rooms.size())) {
            return false;
        }
        EdgeMetrics.CommandMeter meter = EdgeMetrics.current().command(new Command.Resume(rooms));
        startRecoveries(connection, null, rooms, node, new ResumeBatch(null, List.copyOf(rooms.keySet())), meter);
        return true;
    }

    /**
     * join-room with lastSeq ({@code batch} false: already tracked in the lag as a join) or resume
     * ({@code batch} true: each of its joins is tracked here).
     */
    void resume(ClientConnection connection, String ref, Map<String, Long> rooms, boolean batch,
                EdgeMetrics.CommandMeter meter) {
        Resumer node = resumer;
        if (!node.reserve(rooms.size())) {
            meter.count(EdgeMetrics.Outcome.UNAVAILABLE);
            if (!batch) {
                lag.answered(connection.connectionId()); // refused here: not published
            }
            connection.reply(ServerReply.error(ref, new ErrorBody(ErrorCode.UNAVAILABLE,
                    "too many rooms are being recovered on this node; retry after retryAfterMs", ResumeConfig.RETRY_AFTER_MS)));
            return;
        }
        startRecoveries(connection, batch ? null : ref, rooms, node,
                batch ? new ResumeBatch(ref, List.copyOf(rooms.keySet())) : null, meter);
    }

    /** Publishes one join per room, each pending on its own ref with its recovery (permits already taken). */
    private void startRecoveries(ClientConnection connection, String clientRef, Map<String, Long> rooms, Resumer node,
                                 ResumeBatch answers, EdgeMetrics.CommandMeter meter) {
        boolean batch = answers != null;
        for (Map.Entry<String, Long> room : rooms.entrySet()) {
            RoomRecovery recovery = node.reserved(room.getKey(), room.getValue(), clientRef, answers);
            String joinRef = RoomRecovery.REF_PREFIX + EventIds.next();
            connection.subscriptions().resumePending(joinRef, recovery);
            connection.subscriptions().requested(room.getKey());
            if (batch) {
                lag.published(connection.connectionId(), records.now());
            }
            records.publishRoom(connection, room.getKey(), joinRef, new RoomCommand.Join(), failure -> {
                meter.count(failure == null ? EdgeMetrics.Outcome.ACCEPTED : EdgeMetrics.Outcome.UNAVAILABLE);
                if (failure == null) {
                    return;
                }
                lag.answered(connection.connectionId());
                if (connection.subscriptions().takePendingResume(joinRef) != null) {
                    node.answered(connection, recovery, false, null,
                            ErrorBody.of(ErrorCode.UNAVAILABLE, CommandService.UNAVAILABLE_MESSAGE), false);
                }
            });
        }
    }
}
