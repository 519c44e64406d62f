package io.parley.contracts;

import java.util.regex.Pattern;

/**
 * Identifier rules shared by every module, so the edge and the processors agree on what is valid.
 * The patterns state the rules; the checks are plain character loops accepting exactly the same
 * strings (LimitsTest compares them on many inputs): they run for every command, so no regex there.
 */
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

    /** Room types of create-room. */
    public static final java.util.Set<String> ROOM_TYPES = java.util.Set.of("public", "private", "direct");
    /** Members named in one create-room. */
    public static final int MAX_INITIAL_MEMBERS = 100;
    /** A room's name and description, in code points. */
    public static final int MAX_ROOM_NAME = 128;
    public static final int MAX_ROOM_DESCRIPTION = 1024;

    private Limits() {}

    /** {@link #MESSAGE_ID}: 1-64 characters in {@code !}..{@code ~}. */
    public static boolean isValidMessageId(String messageId) {
        return isPrintableAscii(messageId, 64);
    }

    /** {@link #ROOM_ID}: 1-128 characters of {@code A-Z a-z 0-9 _ . : -}. */
    public static boolean isValidRoomId(String roomId) {
        if (roomId == null) {
            return false;
        }
        int n = roomId.length();
        if (n < 1 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = roomId.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@link #CLIENT_MSG_ID}: 1-64 characters in {@code !}..{@code ~}. */
    public static boolean isValidClientMsgId(String clientMsgId) {
        return isPrintableAscii(clientMsgId, 64);
    }

    private static boolean isPrintableAscii(String text, int maxLength) {
        if (text == null) {
            return false;
        }
        int n = text.length();
        if (n < 1 || n > maxLength) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
