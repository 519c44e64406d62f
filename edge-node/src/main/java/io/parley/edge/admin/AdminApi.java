/*
 * AdminApi owns the edge node's inspection endpoints for operators, behind the admin credential
 * (PARLEY_ADMIN_TOKEN, a secret of its own; a user's JWT is refused): what this node knows about
 * a connection, a room and a user, and disconnecting a connection or all of a user's.
 *   GET    /admin/connections/{id}   GET /admin/rooms/{id} (local sockets, online members from the
 *   presence view)   GET /admin/users/{id}
 *   DELETE /admin/connections/{id}   DELETE /admin/users/{id}   (disconnect)
 */
package io.parley.edge.admin;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.edge.command.PresenceReader;
import io.parley.edge.delivery.RoomIndex;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.ConnectionRegistry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Read-only views plus disconnect; every request needs {@code Authorization: Bearer <admin token>}. */
public final class AdminApi {

    /** Closes one connection on the operator's request; false if no endpoint owns it. */
    @FunctionalInterface
    public interface Disconnector {
        boolean disconnect(ClientConnection connection, String reason);
    }

    private final String nodeId;
    private final byte[] adminToken;
    private final ConnectionRegistry registry;
    private final RoomIndex index;
    private final Disconnector disconnector;
    private final java.util.function.Supplier<PresenceReader> presence;

    /**
     * {@code adminToken} null or blank: every admin request answers 404 (the API is off).
     * {@code presence}: the Redis presence view (the room's online members), read when asked.
     */
    public AdminApi(String nodeId, String adminToken, ConnectionRegistry registry, RoomIndex index, Disconnector disconnector,
                    java.util.function.Supplier<PresenceReader> presence) {
        this.presence = presence;
        this.nodeId = nodeId;
        this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken.getBytes(StandardCharsets.UTF_8);
        this.registry = registry;
        this.index = index;
        this.disconnector = disconnector;
    }

    public void routing(HttpRules rules) {
        rules.get("/admin/connections/{id}", (req, res) -> guarded(req, res, () -> connection(req, res)))
                .delete("/admin/connections/{id}", (req, res) -> guarded(req, res, () -> disconnectConnection(req, res)))
                .get("/admin/rooms/{id}", (req, res) -> guarded(req, res, () -> room(req, res)))
                .get("/admin/users/{id}", (req, res) -> guarded(req, res, () -> user(req, res)))
                .delete("/admin/users/{id}", (req, res) -> guarded(req, res, () -> disconnectUser(req, res)));
    }

    private void guarded(ServerRequest req, ServerResponse res, Runnable handler) {
        if (adminToken == null) {
            send(res, Status.NOT_FOUND_404, Map.of("error", ErrorBody.of(ErrorCode.UNKNOWN_EVENT, "the admin API is off (PARLEY_ADMIN_TOKEN unset)")));
            return;
        }
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isEmpty() || !header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"parley-admin\"");
            send(res, Status.UNAUTHORIZED_401, Map.of("error", ErrorBody.of(ErrorCode.AUTHENTICATION_FAILED, "admin credential required")));
            return;
        }
        byte[] given = header.get().substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, adminToken)) {
            send(res, Status.FORBIDDEN_403, Map.of("error", ErrorBody.of(ErrorCode.AUTHORIZATION_FAILED, "not an admin credential")));
            return;
        }
        handler.run();
    }

    private void connection(ServerRequest req, ServerResponse res) {
        ClientConnection c = registry.get(req.path().pathParameters().get("id"));
        if (c == null) {
            notFound(res, "no such connection on " + nodeId);
            return;
        }
        send(res, Status.OK_200, describe(c));
    }

    private void room(ServerRequest req, ServerResponse res) {
        String roomId = req.path().pathParameters().get("id");
        List<Map<String, Object>> sockets = new ArrayList<>();
        TreeSet<String> users = new TreeSet<>();
        for (ClientConnection c : List.copyOf(index.subscribers(roomId))) {
            users.add(c.userId());
            sockets.add(Map.of("connectionId", c.connectionId(), "userId", c.userId(), "protocol", c.protocol()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("roomId", roomId);
        body.put("node", nodeId);
        body.put("localUsers", users);
        body.put("localConnections", sockets);
        body.put("online", onlineMembers(roomId));
        send(res, Status.OK_200, body);
    }

    /** The room's online members (every node) from the presence view, or why they are unknown. */
    private Object onlineMembers(String roomId) {
        try {
            return presence.get().onlineUsers(roomId).toCompletableFuture().get(2, java.util.concurrent.TimeUnit.SECONDS).users();
        } catch (java.util.concurrent.ExecutionException e) {
            return Map.of("unavailable", String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()));
        } catch (java.util.concurrent.TimeoutException e) {
            return Map.of("unavailable", "the presence view did not answer within 2 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("unavailable", "interrupted");
        }
    }

    private void user(ServerRequest req, ServerResponse res) {
        String userId = req.path().pathParameters().get("id");
        List<Map<String, Object>> connections = ofUser(userId).stream().map(AdminApi::describe).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("userId", userId);
        body.put("node", nodeId);
        body.put("connections", connections);
        send(res, Status.OK_200, body);
    }

    private void disconnectConnection(ServerRequest req, ServerResponse res) {
        ClientConnection c = registry.get(req.path().pathParameters().get("id"));
        if (c == null) {
            notFound(res, "no such connection on " + nodeId);
            return;
        }
        boolean closed = disconnector.disconnect(c, "disconnected by operator");
        send(res, Status.OK_200, Map.of("disconnected", closed ? List.of(c.connectionId()) : List.of()));
    }

    private void disconnectUser(ServerRequest req, ServerResponse res) {
        List<String> closed = new ArrayList<>();
        for (ClientConnection c : ofUser(req.path().pathParameters().get("id"))) {
            if (disconnector.disconnect(c, "disconnected by operator")) {
                closed.add(c.connectionId());
            }
        }
        send(res, Status.OK_200, Map.of("disconnected", closed));
    }

    private List<ClientConnection> ofUser(String userId) {
        return registry.snapshot().stream().filter(c -> userId.equals(c.userId())).toList();
    }

    private static Map<String, Object> describe(ClientConnection c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connectionId", c.connectionId());
        body.put("userId", c.userId());
        body.put("protocol", c.protocol());
        body.put("connectedAt", c.connectedAt() > 0 ? Instant.ofEpochMilli(c.connectedAt()).toString() : null);
        body.put("rooms", new TreeSet<>(c.subscriptions().indexedRooms()));
        body.put("requested", new TreeSet<>(c.subscriptions().requestedRooms()));
        body.put("queueDepth", c.queueDepth());
        body.put("open", c.isOpen());
        return body;
    }

    private void notFound(ServerResponse res, String message) {
        send(res, Status.NOT_FOUND_404, Map.of("error", ErrorBody.of(ErrorCode.UNKNOWN_EVENT, message)));
    }

    private static void send(ServerResponse res, Status status, Object body) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(Json.write(body));
    }
}
