/*
 * CommandParser owns validation of a request's op and data into a typed Command, protocol-neutral:
 * unknown op -> UNKNOWN_EVENT, bad room id -> INVALID_ROOM, empty or too-long content, an unknown
 * messageType and malformed fields -> INVALID_MESSAGE. Nothing invalid ever reaches Kafka. The
 * vocabulary is seed 004's (send-message {roomId, content, messageType}, mark-read with an array
 * of message ids or {roomId, seq}).
 */
package io.parley.edge.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.Limits;
import io.parley.contracts.wire.AuthProtocol;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.Protocol;

/** Stateless and thread-safe. */
public final class CommandParser {
    /** The heartbeat op (not in contracts' Protocol yet: see the edge's notes). */
    public static final String PING = "ping";
    private static final int MAX_ECHOED_OP = 40;

    private final int maxMessageLength;

    public CommandParser(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
    }

    /** Either a command or the error to answer with. */
    public sealed interface Parsed permits Valid, Invalid {}

    public record Valid(Command command) implements Parsed {}

    public record Invalid(ErrorBody error) implements Parsed {}

    /**
     * Validates one request.
     *
     * @param op   the operation name; null is INVALID_MESSAGE
     * @param data the request's data (an object), or null / missing
     */
    public Parsed parse(String op, JsonNode data) {
        if (op == null) {
            return invalid(ErrorCode.INVALID_MESSAGE, "missing 'op'");
        }
        if (Protocol.MARK_READ.equals(op) && data != null && data.isArray()) {
            return markReadIds(null, data); // seed 004: emit('mark-read', messageIds, ack)
        }
        if (data != null && !data.isNull() && !data.isMissingNode() && !data.isObject()) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'data' must be an object");
        }
        return switch (op) {
            case PING -> new Valid(new Command.Ping());
            case Protocol.JOIN_ROOM -> joinRoom(data);
            case Protocol.RESUME -> resume(data);
            case Protocol.LEAVE_ROOM -> roomId(data) instanceof String room
                    ? new Valid(new Command.LeaveRoom(room)) : invalidRoom();
            case Protocol.SEND_MESSAGE -> sendMessage(data);
            case Protocol.UPDATE_PRESENCE -> updatePresence(data);
            case Protocol.GET_ONLINE_USERS -> roomId(data) instanceof String room
                    ? new Valid(new Command.GetOnlineUsers(room)) : invalidRoom();
            case Protocol.TYPING_START -> roomId(data) instanceof String room
                    ? new Valid(new Command.StartTyping(room)) : invalidRoom();
            case Protocol.TYPING_STOP -> roomId(data) instanceof String room
                    ? new Valid(new Command.StopTyping(room)) : invalidRoom();
            case Protocol.MARK_READ -> markRead(data);
            case Protocol.CREATE_ROOM -> createRoom(data);
            case Protocol.ADD_MEMBER -> addMember(data);
            case Protocol.SET_ROLE -> setRole(data);
            case Protocol.REMOVE_MEMBER -> addMember(data) instanceof Valid(Command.AddMember(String room, String user))
                    ? new Valid(new Command.RemoveMember(room, user)) : addMember(data);
            case Protocol.UPDATE_ROOM -> updateRoom(data);
            case Protocol.DELETE_ROOM -> roomId(data) instanceof String room
                    ? new Valid(new Command.DeleteRoom(room)) : invalidRoom();
            case Protocol.MUTE_MEMBER, Protocol.UNMUTE_MEMBER -> addMember(data) instanceof Valid(Command.AddMember member)
                    ? new Valid(new Command.MuteMember(member.roomId(), member.userId(), Protocol.MUTE_MEMBER.equals(op)))
                    : addMember(data);
            case Protocol.OPEN_DIRECT -> openDirect(data);
            case AuthProtocol.AUTH, AuthProtocol.REFRESH -> authenticate(data);
            default -> invalid(ErrorCode.UNKNOWN_EVENT, "unknown op '" + truncate(op) + "'");
        };
    }

    /** The most rooms one {@code resume} may name. */
    public static final int MAX_RESUME_ROOMS = 100;

    /** {@code join-room {roomId, lastSeq?}}: lastSeq, when present, a whole number >= 0. */
    private Parsed joinRoom(JsonNode data) {
        if (!(roomId(data) instanceof String room)) {
            return invalidRoom();
        }
        JsonNode last = data.get("lastSeq");
        if (last == null || last.isNull()) {
            return new Valid(new Command.JoinRoom(room));
        }
        Long seq = seqOf(last);
        return seq == null ? invalid(ErrorCode.INVALID_MESSAGE, "'lastSeq' must be a whole number >= 0")
                : new Valid(new Command.JoinRoom(room, seq));
    }

    /** {@code resume {rooms: {roomId: lastSeq, ...}}}: 1 to {@value #MAX_RESUME_ROOMS} rooms. */
    private Parsed resume(JsonNode data) {
        JsonNode rooms = data == null ? null : data.get("rooms");
        if (rooms == null || !rooms.isObject() || rooms.isEmpty()) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'rooms' must be an object {roomId: lastSeq} with at least one room");
        }
        if (rooms.size() > MAX_RESUME_ROOMS) {
            return invalid(ErrorCode.INVALID_MESSAGE, "at most " + MAX_RESUME_ROOMS + " rooms per resume");
        }
        java.util.Map<String, Long> parsed = new java.util.LinkedHashMap<>();
        for (var entry : rooms.properties()) {
            if (!Limits.isValidRoomId(entry.getKey())) {
                return invalidRoom();
            }
            Long seq = seqOf(entry.getValue());
            if (seq == null) {
                return invalid(ErrorCode.INVALID_MESSAGE, "each room's lastSeq must be a whole number >= 0");
            }
            parsed.put(entry.getKey(), seq);
        }
        return new Valid(new Command.Resume(parsed));
    }

    private static Long seqOf(JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            return null;
        }
        return node.longValue();
    }

    private Parsed sendMessage(JsonNode data) {
        String room = roomId(data);
        if (room == null) {
            return invalidRoom();
        }
        JsonNode content = data.get("content");
        if (content == null || !content.isTextual()) {
            return invalid(ErrorCode.INVALID_MESSAGE, data.has("text")
                    ? "'content' must be a string ('text' is now 'content')" : "'content' must be a string");
        }
        String value = content.textValue();
        if (value.isBlank()) {
            return invalid(ErrorCode.INVALID_MESSAGE, "message content is empty");
        }
        int codePoints = value.codePointCount(0, value.length());
        if (codePoints > maxMessageLength) {
            return invalid(ErrorCode.INVALID_MESSAGE,
                    "message content is " + codePoints + " characters, the maximum is " + maxMessageLength);
        }
        JsonNode type = data.get("messageType");
        if (!absent(type) && !(type.isTextual() && Limits.MESSAGE_TYPES.contains(type.textValue()))) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'messageType' must be one of "
                    + String.join(", ", new java.util.TreeSet<>(Limits.MESSAGE_TYPES)));
        }
        JsonNode clientMsgId = data.get("clientMsgId");
        if (!absent(clientMsgId) && !(clientMsgId.isTextual() && Limits.isValidClientMsgId(clientMsgId.textValue()))) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'clientMsgId' must be 1-64 printable ASCII characters");
        }
        JsonNode replyTo = data.get("replyTo");
        if (!absent(replyTo) && !(replyTo.isTextual() && Limits.isValidClientMsgId(replyTo.textValue()))) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'replyTo' must be a message id");
        }
        return new Valid(new Command.SendMessage(room, value, absent(type) ? Protocol.TEXT : type.textValue(),
                absent(clientMsgId) ? null : clientMsgId.textValue(),
                absent(replyTo) ? null : replyTo.textValue()));
    }

    /** The smallest expireAfterIdleMs of create-room (as in the room-commands schema). */
    private static final long MIN_IDLE_MS = 1000;

    /** create-room {roomId, type: public|private|direct, name?, description?, maxUsers?, members?: [userId], expireAfterIdleMs?}. */
    private static Parsed createRoom(JsonNode data) {
        String room = roomId(data);
        if (room == null) {
            return invalidRoom();
        }
        JsonNode type = data.get("type");
        if (!absent(type) && !(type.isTextual() && Limits.ROOM_TYPES.contains(type.textValue()))) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'type' must be one of public, private, direct");
        }
        String name = text(data.get("name"), Limits.MAX_ROOM_NAME);
        String description = text(data.get("description"), Limits.MAX_ROOM_DESCRIPTION);
        if (BAD.equals(name) || BAD.equals(description)) {
            return invalidNameOrDescription();
        }
        JsonNode maxUsers = data.get("maxUsers");
        if (!isAbsentOrPositiveInt(maxUsers)) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'maxUsers' must be a positive integer");
        }
        JsonNode idle = data.get("expireAfterIdleMs");
        if (!absent(idle) && !(idle.isIntegralNumber() && idle.canConvertToLong() && idle.longValue() >= MIN_IDLE_MS)) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'expireAfterIdleMs' must be an integer of at least " + MIN_IDLE_MS);
        }
        JsonNode members = data.get("members");
        java.util.List<String> ids = new java.util.ArrayList<>();
        if (!absent(members)) {
            if (!members.isArray() || members.size() > Limits.MAX_INITIAL_MEMBERS) {
                return invalid(ErrorCode.INVALID_MESSAGE, "'members' must be an array of at most " + Limits.MAX_INITIAL_MEMBERS + " user ids");
            }
            for (JsonNode member : members) {
                if (!member.isTextual() || member.textValue().isBlank() || member.textValue().length() > MAX_USER_ID) {
                    return invalid(ErrorCode.INVALID_MESSAGE, "'members' must be user ids");
                }
                ids.add(member.textValue());
            }
        }
        return new Valid(new Command.CreateRoom(room, name, description, absent(type) ? "public" : type.textValue(),
                absent(maxUsers) ? null : maxUsers.intValue(), java.util.List.copyOf(ids), absent(idle) ? null : idle.longValue()));
    }

    /** The refusal of a create-room's or update-room's bad name or description. */
    private static Parsed invalidNameOrDescription() {
        return invalid(ErrorCode.INVALID_MESSAGE, "'name' (at most " + Limits.MAX_ROOM_NAME + ") and 'description' (at most "
                + Limits.MAX_ROOM_DESCRIPTION + " characters) must be strings");
    }

    /** An optional maxUsers: absent, or an integer of at least 1. */
    private static boolean isAbsentOrPositiveInt(JsonNode maxUsers) {
        return absent(maxUsers) || (maxUsers.isIntegralNumber() && maxUsers.canConvertToInt() && maxUsers.intValue() >= 1);
    }

    /** add-member {roomId, userId}. */
    private static Parsed addMember(JsonNode data) {
        String room = roomId(data);
        if (room == null) {
            return invalidRoom();
        }
        JsonNode user = data.get("userId");
        if (user == null || !user.isTextual() || user.textValue().isBlank() || user.textValue().length() > MAX_USER_ID) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'userId' must be a user id");
        }
        return new Valid(new Command.AddMember(room, user.textValue()));
    }

    /** set-role {roomId, userId, role: admin|member}. */
    private static Parsed setRole(JsonNode data) {
        Parsed member = addMember(data);
        if (!(member instanceof Valid valid)) {
            return member;
        }
        JsonNode role = data.get("role");
        if (role == null || !role.isTextual() || !java.util.Set.of("admin", "member").contains(role.textValue())) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'role' must be admin or member");
        }
        Command.AddMember add = (Command.AddMember) valid.command();
        return new Valid(new Command.SetRole(add.roomId(), add.userId(), role.textValue()));
    }

    /** update-room {roomId, name?, description?, maxUsers?}: at least one of them. */
    private static Parsed updateRoom(JsonNode data) {
        String room = roomId(data);
        if (room == null) {
            return invalidRoom();
        }
        String name = text(data.get("name"), Limits.MAX_ROOM_NAME);
        String description = text(data.get("description"), Limits.MAX_ROOM_DESCRIPTION);
        if (BAD.equals(name) || BAD.equals(description)) {
            return invalidNameOrDescription();
        }
        JsonNode maxUsers = data.get("maxUsers");
        if (!isAbsentOrPositiveInt(maxUsers)) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'maxUsers' must be a positive integer");
        }
        if (name == null && description == null && absent(maxUsers)) {
            return invalid(ErrorCode.INVALID_MESSAGE, "nothing to update: give 'name', 'description' or 'maxUsers'");
        }
        return new Valid(new Command.UpdateRoom(room, name, description, absent(maxUsers) ? null : maxUsers.intValue()));
    }

    /** open-direct {userId}: the other user of the direct room. */
    private static Parsed openDirect(JsonNode data) {
        JsonNode user = data == null ? null : data.get("userId");
        if (user == null || !user.isTextual() || user.textValue().isBlank() || user.textValue().length() > MAX_USER_ID) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'userId' must be a user id");
        }
        return new Valid(new Command.OpenDirect(user.textValue()));
    }

    private static final int MAX_USER_ID = 256;
    private static final String BAD = "\u0000bad";

    /** An optional text field: null when absent, BAD when not a string or longer than {@code max} code points. */
    private static String text(JsonNode node, int max) {
        if (absent(node)) {
            return null;
        }
        if (!node.isTextual() || node.textValue().codePointCount(0, node.textValue().length()) > max) {
            return BAD;
        }
        return node.textValue();
    }

    /** {@code auth} / {@code refresh}: data {@code {token}} (a non-empty string; verified by the endpoint). */
    private static Parsed authenticate(JsonNode data) {
        JsonNode token = data == null ? null : data.get("token");
        if (token == null || !token.isTextual() || token.textValue().isBlank()) {
            return invalid(ErrorCode.AUTHENTICATION_FAILED, "'token' must be a non-empty string");
        }
        return new Valid(new Command.Authenticate(token.textValue()));
    }

    private static Parsed markRead(JsonNode data) {
        JsonNode ids = data == null ? null : data.get("messageIds");
        if (!absent(ids)) {
            if (!absent(data.get("seq"))) {
                return invalid(ErrorCode.INVALID_MESSAGE, "either 'seq' or 'messageIds', not both");
            }
            JsonNode roomNode = data.get("roomId");
            if (absent(roomNode)) {
                return markReadIds(null, ids);
            }
            String room = roomId(data);
            return room == null ? invalidRoom() : markReadIds(room, ids);
        }
        String room = roomId(data);
        if (room == null) {
            return invalidRoom();
        }
        JsonNode seq = data.get("seq");
        if (seq == null || !seq.canConvertToLong() || !seq.isIntegralNumber() || seq.longValue() < 1) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'seq' must be a positive integer");
        }
        return new Valid(new Command.MarkRead(room, seq.longValue()));
    }

    /** mark-read with message ids: 1-100 distinct ids; {@code room} null when the client named none. */
    private static Parsed markReadIds(String room, JsonNode ids) {
        if (!ids.isArray() || ids.isEmpty() || ids.size() > Limits.MAX_MARK_READ_IDS) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'messageIds' must be an array of 1-" + Limits.MAX_MARK_READ_IDS + " message ids");
        }
        java.util.LinkedHashSet<String> distinct = new java.util.LinkedHashSet<>();
        for (JsonNode id : ids) {
            if (!id.isTextual() || !Limits.isValidMessageId(id.textValue())) {
                return invalid(ErrorCode.INVALID_MESSAGE, "'messageIds' must hold message ids (strings)");
            }
            distinct.add(id.textValue());
        }
        return new Valid(new Command.MarkRead(room, null, java.util.List.copyOf(distinct)));
    }

    private static Parsed updatePresence(JsonNode data) {
        JsonNode status = data == null ? null : data.get("status");
        JsonNode custom = data == null ? null : data.get("customStatus");
        if (absent(status) && absent(custom)) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'status' or 'customStatus' is required");
        }
        if (!absent(status) && !(status.isTextual() && Limits.CHOOSABLE_STATUSES.contains(status.textValue()))) {
            return invalid(ErrorCode.INVALID_MESSAGE, "'status' must be one of online, away, busy, dnd");
        }
        if (!absent(custom)) {
            if (!custom.isTextual()) {
                return invalid(ErrorCode.INVALID_MESSAGE, "'customStatus' must be a string");
            }
            String text = custom.textValue();
            if (text.codePointCount(0, text.length()) > Limits.MAX_CUSTOM_STATUS) {
                return invalid(ErrorCode.INVALID_MESSAGE, "'customStatus' is longer than " + Limits.MAX_CUSTOM_STATUS + " characters");
            }
        }
        return new Valid(new Command.UpdatePresence(absent(status) ? null : status.textValue(),
                absent(custom) ? null : custom.textValue()));
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }

    /** The valid room id of {@code data}, or null. */
    private static String roomId(JsonNode data) {
        if (data == null || !data.isObject()) {
            return null;
        }
        JsonNode node = data.get("roomId");
        if (node == null || !node.isTextual()) {
            return null;
        }
        String room = node.textValue();
        return Limits.isValidRoomId(room) ? room : null;
    }

    private static Parsed invalidRoom() {
        return invalid(ErrorCode.INVALID_ROOM, "'roomId' must be 1-128 letters, digits, '_', '.', ':' or '-'");
    }

    private static Parsed invalid(ErrorCode code, String message) {
        return new Invalid(ErrorBody.of(code, message));
    }

    private static String truncate(String op) {
        String printable = op.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() <= MAX_ECHOED_OP ? printable : printable.substring(0, MAX_ECHOED_OP) + "...";
    }
}
