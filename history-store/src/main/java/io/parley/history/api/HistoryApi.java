// Owns the HTTP surface of the history store: GET /v1/rooms/{roomId}/messages (with the caller's
// read position), GET /v1/rooms/{roomId}/read-positions, GET /v1/rooms/{roomId}/events (the room's
// log as NDJSON, streamed) (all three for the room's members only) and GET /health.
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
import io.parley.contracts.wire.ErrorBody;
import io.parley.history.cql.EventLog;
import io.parley.history.cql.Memberships;
import io.parley.history.cql.MessagePager;
import io.parley.history.cql.Page;
import io.parley.history.cql.ReadPositions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The history endpoint: a bearer token verified with contracts' {@link TokenVerifier} (401
 * {@code AUTHENTICATION_FAILED} otherwise), then the room id (400 {@code INVALID_ROOM}) and the
 * query parameters (400 {@code INVALID_MESSAGE}), then membership: a caller who is not a member of
 * the room ({@link Memberships}, from room-events) gets 403 {@code AUTHORIZATION_FAILED} and
 * nothing of the room, whether it exists or not; then a page from the {@link MessagePager}.
 * Cassandra unreachable: 503 {@code UNAVAILABLE}. {@code /health}: 200 while {@code healthy} holds.
 */
public final class HistoryApi {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryApi.class);
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String NOT_A_MEMBER = "not a member of this room";

    private final TokenVerifier verifier;
    private final MessagePager pager;
    private final ReadPositions reads;
    private final Memberships members;
    private final EventLog log;
    private final BooleanSupplier healthy;

    public HistoryApi(TokenVerifier verifier, MessagePager pager, ReadPositions reads, Memberships members,
                      EventLog log, BooleanSupplier healthy) {
        this.verifier = verifier;
        this.pager = pager;
        this.reads = reads;
        this.members = members;
        this.log = log;
        this.healthy = healthy;
    }

    public void routing(HttpRouting.Builder routing) {
        routing.get("/health", this::health)
                .get("/v1/rooms/{roomId}/messages", this::messages)
                .get("/v1/rooms/{roomId}/read-positions", this::readPositions)
                .get("/v1/rooms/{roomId}/events", this::events);
    }

    private void health(ServerRequest request, ServerResponse response) {
        boolean up = healthy.getAsBoolean();
        response.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        response.header(HeaderNames.CONTENT_TYPE, JSON);
        response.send(up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
    }

    /** {@code {"roomId":..,"positions":[{"userId":..,"readSeq":..}]}}: every member's read position. */
    private void readPositions(ServerRequest request, ServerResponse response) {
        String userId = caller(verifier, request, response);
        if (userId == null) {
            return;
        }
        String roomId = roomId(request, response);
        if (roomId == null) {
            return;
        }
        java.util.Map<String, Long> all;
        try {
            if (!members.isMember(roomId, userId)) {
                error(response, ErrorCode.AUTHORIZATION_FAILED, NOT_A_MEMBER);
                return;
            }
            all = reads.all(roomId);
        } catch (AllNodesFailedException | DriverTimeoutException | QueryExecutionException e) {
            LOG.warn("read positions read failed: {}", e.toString());
            error(response, ErrorCode.UNAVAILABLE, "history storage unavailable, retry later");
            return;
        }
        response.header(HeaderNames.CONTENT_TYPE, JSON);
        response.send(Json.writeBytes(new HistoryResponses.ReadPositionsView(roomId, all.entrySet().stream()
                .map(e -> new HistoryResponses.ReadPositionView(e.getKey(), e.getValue())).toList())));
    }

    private void messages(ServerRequest request, ServerResponse response) {
        String userId = caller(verifier, request, response);
        if (userId == null) {
            return;
        }
        String roomId = roomId(request, response);
        if (roomId == null) {
            return;
        }
        HistoryParams.Result params = HistoryParams.parse(request.query().toMap());
        if (params instanceof HistoryParams.Invalid invalid) {
            error(response, ErrorCode.INVALID_MESSAGE, invalid.message());
            return;
        }
        Page page;
        long readSeq;
        long storedSeq;
        try {
            if (!members.isMember(roomId, userId)) {
                error(response, ErrorCode.AUTHORIZATION_FAILED, NOT_A_MEMBER);
                return;
            }
            storedSeq = pager.storedSeq(roomId); // before the page: the page holds every message up to it
            page = pager.page(roomId, ((HistoryParams.Valid) params).request());
            readSeq = reads.of(roomId, userId);
        } catch (AllNodesFailedException | DriverTimeoutException | QueryExecutionException e) {
            LOG.warn("history read failed: {}", e.toString());
            error(response, ErrorCode.UNAVAILABLE, "history storage unavailable, retry later");
            return;
        } catch (RuntimeException e) {
            LOG.error("history read failed unexpectedly", e);
            error(response, ErrorCode.INTERNAL_ERROR, "internal error");
            return;
        }
        response.header(HeaderNames.CONTENT_TYPE, JSON);
        response.send(Json.writeBytes(HistoryResponses.HistoryPage.of(roomId, page, readSeq, storedSeq)));
    }

    /**
     * The room's events as NDJSON ({@code application/x-ndjson}): one line per event, the record
     * value exactly as on {@code room-events} (every type, also ones this build does not know), in
     * seq order, within {@link ReplayParams}' range. Streamed page by page from Cassandra (memory
     * bounded by a page). Errors before the first byte are the usual JSON errors; a storage failure
     * after it aborts the response (no terminating chunk), so a client never takes a cut stream
     * for a complete one.
     */
    private void events(ServerRequest request, ServerResponse response) {
        String userId = caller(verifier, request, response);
        if (userId == null) {
            return;
        }
        String roomId = roomId(request, response);
        if (roomId == null) {
            return;
        }
        ReplayParams.Result params = ReplayParams.parse(request.query().toMap());
        if (params instanceof ReplayParams.Invalid invalid) {
            error(response, ErrorCode.INVALID_MESSAGE, invalid.message());
            return;
        }
        try {
            if (!members.isMember(roomId, userId)) {
                error(response, ErrorCode.AUTHORIZATION_FAILED, NOT_A_MEMBER);
                return;
            }
        } catch (AllNodesFailedException | DriverTimeoutException | QueryExecutionException e) {
            LOG.warn("replay membership read failed: {}", e.toString());
            error(response, ErrorCode.UNAVAILABLE, "history storage unavailable, retry later");
            return;
        }
        // The stream opens with the first event: a failure before it is still a clean JSON error.
        OutputStream[] out = new OutputStream[1];
        try {
            log.replay(roomId, ((ReplayParams.Valid) params).range(), payload -> {
                if (out[0] == null) {
                    response.header(HeaderNames.CONTENT_TYPE, NDJSON);
                    out[0] = response.outputStream();
                }
                out[0].write(payload.getBytes(StandardCharsets.UTF_8));
                out[0].write('\n');
            });
        } catch (IOException e) {
            LOG.info("replay of {} ended early: {}", roomId, e.toString());
            throw new UncheckedIOException(e); // the client went away: close the connection
        } catch (RuntimeException e) {
            if (out[0] == null) {
                boolean storage = e instanceof AllNodesFailedException || e instanceof DriverTimeoutException
                        || e instanceof QueryExecutionException;
                LOG.warn("replay of {} failed: {}", roomId, e.toString());
                error(response, storage ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL_ERROR,
                        storage ? "history storage unavailable, retry later" : "internal error");
                return;
            }
            // Lines were sent: abort the connection (no final chunk) rather than end the stream cleanly.
            LOG.warn("replay of {} failed mid-stream, response aborted: {}", roomId, e.toString());
            throw new UncheckedIOException(new IOException("replay aborted by a storage failure", e));
        }
        try {
            if (out[0] == null) {
                response.header(HeaderNames.CONTENT_TYPE, NDJSON);
                response.send();
            } else {
                out[0].close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The verified caller's user id, or null after answering 401. */
    static String caller(TokenVerifier verifier, ServerRequest request, ServerResponse response) {
        String authorization = request.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        TokenVerifier.Result caller = verifier.verify(bearerToken(authorization));
        if (caller instanceof TokenVerifier.Rejected rejected) {
            error(response, ErrorCode.AUTHENTICATION_FAILED, authorization == null ? "missing bearer token" : rejected.reason());
            return null;
        }
        return ((TokenVerifier.Verified) caller).userId();
    }

    /** The {@code roomId} path parameter, or null after answering INVALID_ROOM. */
    static String roomId(ServerRequest request, ServerResponse response) {
        String roomId = request.path().pathParameters().first("roomId").orElse(null);
        if (!Limits.isValidRoomId(roomId)) {
            error(response, ErrorCode.INVALID_ROOM, "room id must be 1-128 characters of letters, digits and _ - . :");
            return null;
        }
        return roomId;
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        return value.substring(7).strip();
    }

    static void error(ServerResponse response, ErrorCode code, String message) {
        response.status(code.httpStatus());
        response.header(HeaderNames.CONTENT_TYPE, JSON);
        if (code == ErrorCode.AUTHENTICATION_FAILED) {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        response.send(Json.writeBytes(new HistoryResponses.ErrorResponse(ErrorBody.of(code, message))));
    }
}
