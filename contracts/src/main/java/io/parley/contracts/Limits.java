package io.parley.contracts;

import java.util.regex.Pattern;

/** Identifier rules shared by every module, so the edge and the processors agree on what is valid. */
public final class Limits {
    /** Room ids: 1-128 characters of letters, digits, and {@code _ - . :}. */
    public static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    /** Client message ids (for idempotent resends): 1-64 printable ASCII characters without spaces. */
    public static final Pattern CLIENT_MSG_ID = Pattern.compile("[!-~]{1,64}");

    private Limits() {}

    public static boolean isValidRoomId(String roomId) {
        return roomId != null && ROOM_ID.matcher(roomId).matches();
    }

    public static boolean isValidClientMsgId(String clientMsgId) {
        return clientMsgId != null && CLIENT_MSG_ID.matcher(clientMsgId).matches();
    }
}
