/*
 * DirectRooms owns the id of a direct room: derived from its two users, so "find or create the
 * direct room of a and b" is one room id (one key, one partition, one decision) whoever asks.
 */
package io.parley.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Ids of direct rooms. */
public final class DirectRooms {
    /** The prefix of every direct room's id. */
    public static final String PREFIX = "dm:";

    private DirectRooms() {}

    /**
     * {@code dm:<first 32 hex digits of SHA-256 of the sorted pair>}: the same for (a, b) and
     * (b, a); user ids are length-prefixed so no two pairs share an input.
     */
    public static String idOf(String userA, String userB) {
        String first = userA.compareTo(userB) <= 0 ? userA : userB;
        String second = first == userA ? userB : userA;
        String input = first.length() + ":" + first + "|" + second.length() + ":" + second;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
