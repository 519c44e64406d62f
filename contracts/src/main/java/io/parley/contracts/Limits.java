package io.parley.contracts;

import java.util.regex.Pattern;

/** Identifier rules shared by every module, so the edge and the processors agree on what is valid. */
public final class Limits {
    /** Room ids: 1-128 characters of letters, digits, and {@code _ - . :}. */
    public static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    /** Client message ids (for idempotent resends): 1-64 printable ASCII characters without spaces. */
    public static final Pattern CLIENT_MSG_ID = Pattern.compile("[!-~]{1,64}");

    /** The longest custom status text, in code points. */
    public static final int MAX_CUSTOM_STATUS = 128;
    /** The statuses a user may choose with update-presence ({@code offline} is computed, never chosen). */
    public static final java.util.Set<String> CHOOSABLE_STATUSES = java.util.Set.of("online", "away", "busy", "dnd");

    /**
     * The message types a client may send ({@code messageType}, default {@code "text"}). {@code system}
     * is not among them: a client must not pass its message off as the server's.
     */
    public static final java.util.Set<String> MESSAGE_TYPES = java.util.Set.of("text", "image", "file", "audio", "video");
    /** Message ids in one mark-read. */
    public static final int MAX_MARK_READ_IDS = 100;
    /** Message ids (ULIDs, or whatever a client echoes back): 1-64 printable ASCII characters. */
    public static final Pattern MESSAGE_ID = CLIENT_MSG_ID;

    private Limits() {}

    public static boolean isValidMessageId(String messageId) {
        return messageId != null && MESSAGE_ID.matcher(messageId).matches();
    }

    public static boolean isValidRoomId(String roomId) {
        return roomId != null && ROOM_ID.matcher(roomId).matches();
    }

    public static boolean isValidClientMsgId(String clientMsgId) {
        return clientMsgId != null && CLIENT_MSG_ID.matcher(clientMsgId).matches();
    }
}
