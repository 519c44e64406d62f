package io.parley.contracts;

/**
 * Every error a client can be told, on every protocol (native {@code /ws}, Socket.IO, HTTP).
 * The wire form is the constant's name, e.g. {@code "RATE_LIMIT_EXCEEDED"}.
 */
public enum ErrorCode {
    /**
     * The token is missing, malformed, tampered, expired, or uses a refused algorithm; or a command
     * came before the first-message {@code auth}; or the connection's token expired unrefreshed.
     */
    AUTHENTICATION_FAILED(401),
    /** No valid {@code auth} arrived within the authentication timeout (the connection is then closed). */
    AUTH_TIMEOUT(401),
    /**
     * Authenticated, but not allowed to do this (e.g. send to a room not joined; refresh with a
     * token of another user; a browser origin not allowed on {@code /ws}).
     */
    AUTHORIZATION_FAILED(403),
    /** Over the per-user message rate; the error carries {@code retryAfterMs}. */
    RATE_LIMIT_EXCEEDED(429),
    /** The room id is missing or malformed, or the room does not allow this. */
    INVALID_ROOM(400),
    /** The room has reached its member limit. */
    ROOM_FULL(409),
    /**
     * The user is a member of as many rooms as a user may be ({@code PARLEY_MAX_ROOMS_PER_USER}):
     * join-room / create-room of another room is refused until they leave one. Not a permission
     * refusal (AUTHORIZATION_FAILED): the client can act on it.
     */
    ROOM_LIMIT(409),
    /** The frame or its fields are malformed, or the message is empty or too long. */
    INVALID_MESSAGE(400),
    /** The frame is larger than the configured maximum. */
    PAYLOAD_TOO_LARGE(413),
    /** The {@code op} is not one Parley knows. */
    UNKNOWN_EVENT(400),
    /** A connection limit (per node or per user) was reached. */
    CONNECTION_LIMIT(503),
    /** A dependency (Kafka, Cassandra) is unreachable, or the node is draining. */
    UNAVAILABLE(503),
    /** A bug: nothing the client did; details only in the server log. */
    INTERNAL_ERROR(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status the code maps to on HTTP endpoints. */
    public int httpStatus() {
        return httpStatus;
    }
}
