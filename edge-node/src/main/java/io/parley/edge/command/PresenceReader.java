/*
 * PresenceReader owns the edge's seam to the presence read view: who of a room is online, with
 * each user's status, answered asynchronously (the socket's reader never waits on it).
 */
package io.parley.edge.command;

import io.parley.contracts.wire.Protocol;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

public interface PresenceReader {

    /** The online members of {@code roomId} with their presence; fails if the view cannot be read. */
    CompletionStage<Protocol.OnlineUsers> onlineUsers(String roomId);

    /** The ids of the users online now (any status but offline), at most a bounded number. */
    default CompletionStage<java.util.List<String>> onlineUserIds() {
        return CompletableFuture.failedFuture(new IllegalStateException("no online-users view"));
    }

    /** No view configured: every read fails (answered UNAVAILABLE). */
    PresenceReader NONE = roomId -> CompletableFuture.failedFuture(new IllegalStateException("no presence view configured"));
}
