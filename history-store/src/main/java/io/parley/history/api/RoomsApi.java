// Owns the rooms queries of the history store's HTTP surface: GET /v1/rooms/{roomId} (the room
// with its members and roles: members only), GET /v1/me/rooms (the caller's rooms) and
// GET /v1/rooms (the public directory), both paged with a cursor; all from the Cassandra tables
// the writer fills from room-events.
package io.parley.history.api;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.QueryExecutionException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.Limits;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.json.Json;
import io.parley.history.cql.Memberships;
import io.parley.history.cql.RoomStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Authorization from the verified token and the membership rows only: a room's details go to its
 * members (403 {@code AUTHORIZATION_FAILED} otherwise, whether it exists or not); a deleted room
 * answers 400 {@code INVALID_ROOM} to its members and is left out of every list. The directory
 * lists the public rooms made by create-room (rooms made by a plain join are not listed).
 * {@code ?limit=} 1-{@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT}); {@code ?cursor=} the
 * previous page's {@code nextCursor} (absent or null: the last page).
 */
public final class RoomsApi {
    private static final Logger LOG = LoggerFactory.getLogger(RoomsApi.class);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    /** A room as the API shows it (the shape of create-room's and open-direct's reply, plus members' roles). */
    public record RoomView(String roomId, String name, String description, String type, String ownerId, Integer maxUsers,
                           Long expireAfterIdleMs, String role, List<MemberView> members) {}

    public record MemberView(String userId, String role, boolean muted) {}

    public record RoomsPage(List<RoomView> rooms, String nextCursor) {}

    private final TokenVerifier verifier;
    private final RoomStore rooms;
    private final Memberships members;

    public RoomsApi(TokenVerifier verifier, RoomStore rooms, Memberships members) {
        this.verifier = verifier;
        this.rooms = rooms;
        this.members = members;
    }

    public void routing(HttpRouting.Builder routing) {
        routing.get("/v1/rooms", this::directory)
                .get("/v1/rooms/{roomId}", this::room)
                .get("/v1/me/rooms", this::myRooms);
    }

    private void room(ServerRequest request, ServerResponse response) {
        String userId = caller(request, response);
        if (userId == null) {
            return;
        }
        String roomId = HistoryApi.roomId(request, response);
        if (roomId == null) {
            return;
        }
        guarded(response, () -> {
            if (!members.isMember(roomId, userId)) {
                error(response, ErrorCode.AUTHORIZATION_FAILED, "not a member of this room");
                return;
            }
            RoomStore.RoomRow row = rooms.room(roomId);
            if (row != null && row.deleted()) {
                error(response, ErrorCode.INVALID_ROOM, "room " + roomId + " was deleted");
                return;
            }
            List<MemberView> all = rooms.members(roomId).stream()
                    .map(m -> new MemberView(m.userId(), m.role() == null ? "member" : m.role(), m.muted())).toList();
            String role = all.stream().filter(m -> m.userId().equals(userId)).map(MemberView::role).findFirst().orElse("member");
            send(response, view(roomId, row, role, all));
        });
    }

    private void myRooms(ServerRequest request, ServerResponse response) {
        String userId = caller(request, response);
        if (userId == null) {
            return;
        }
        Map<String, List<String>> query = request.query().toMap();
        Integer limit = limit(query, response);
        String cursor = single(query, "cursor");
        if (limit == null) {
            return;
        }
        if (cursor != null && !Limits.isValidRoomId(cursor)) {
            error(response, ErrorCode.INVALID_MESSAGE, "'cursor' must be a nextCursor of this list");
            return;
        }
        guarded(response, () -> {
            RoomStore.UserRoomsPage page = rooms.userRooms(userId, cursor == null ? "" : cursor, limit);
            List<RoomView> views = new ArrayList<>(page.rooms().size());
            for (RoomStore.UserRoom room : page.rooms()) {
                RoomStore.RoomRow row = rooms.room(room.roomId());
                if (row == null || !row.deleted()) {
                    views.add(view(room.roomId(), row, room.role() == null ? "member" : room.role(), null));
                }
            }
            send(response, new RoomsPage(views, page.more() && !page.rooms().isEmpty() ? page.rooms().getLast().roomId() : null));
        });
    }

    private void directory(ServerRequest request, ServerResponse response) {
        String userId = caller(request, response);
        if (userId == null) {
            return;
        }
        Map<String, List<String>> query = request.query().toMap();
        Integer limit = limit(query, response);
        if (limit == null) {
            return;
        }
        String cursor = single(query, "cursor");
        int shard = 0;
        String after = "";
        if (cursor != null) {
            int colon = cursor.indexOf(':');
            try {
                shard = Integer.parseInt(cursor.substring(0, Math.max(0, colon)));
                after = cursor.substring(colon + 1);
            } catch (NumberFormatException e) {
                shard = -1;
            }
            if (shard < 0 || shard >= RoomStore.DIRECTORY_SHARDS || !Limits.isValidRoomId(after)) {
                error(response, ErrorCode.INVALID_MESSAGE, "'cursor' must be a nextCursor of this list");
                return;
            }
        }
        int fromShard = shard;
        String fromRoom = after;
        guarded(response, () -> {
            RoomStore.DirectoryPage page = rooms.directory(fromShard, fromRoom, limit);
            List<RoomView> views = new ArrayList<>(page.roomIds().size());
            for (String roomId : page.roomIds()) {
                RoomStore.RoomRow row = rooms.room(roomId);
                if (row != null && !row.deleted()) {
                    views.add(view(roomId, row, null, null));
                }
            }
            send(response, new RoomsPage(views, page.next()));
        });
    }

    /** A room made by a join has no row: public, named by its id, nobody's. */
    private static RoomView view(String roomId, RoomStore.RoomRow row, String role, List<MemberView> members) {
        if (row == null) {
            return new RoomView(roomId, roomId, null, "public", null, null, null, role, members);
        }
        return new RoomView(roomId, row.name() == null ? roomId : row.name(), row.description(), row.type(), row.ownerId(),
                row.maxUsers(), row.expireAfterIdleMs(), role, members);
    }

    /** The verified caller's user id, or null after answering 401. */
    private String caller(ServerRequest request, ServerResponse response) {
        return HistoryApi.caller(verifier, request, response);
    }

    private static Integer limit(Map<String, List<String>> query, ServerResponse response) {
        String text = single(query, "limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        error(response, ErrorCode.INVALID_MESSAGE, "'limit' must be 1-" + MAX_LIMIT);
        return null;
    }

    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static void guarded(ServerResponse response, Runnable read) {
        try {
            read.run();
        } catch (AllNodesFailedException | DriverTimeoutException | QueryExecutionException e) {
            LOG.warn("rooms read failed: {}", e.toString());
            error(response, ErrorCode.UNAVAILABLE, "room storage unavailable, retry later");
        } catch (RuntimeException e) {
            LOG.error("rooms read failed unexpectedly", e);
            error(response, ErrorCode.INTERNAL_ERROR, "internal error");
        }
    }

    private static void send(ServerResponse response, Object body) {
        response.status(Status.OK_200);
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(Json.writeBytes(body));
    }

    private static void error(ServerResponse response, ErrorCode code, String message) {
        HistoryApi.error(response, code, message);
    }
}
