package io.parley.contracts;

import java.security.SecureRandom;

/**
 * Event ids: ULIDs (26 characters, Crockford base32, time-ordered, monotonic within a process).
 * Assigned once at the edge, so a command processed again after a crash keeps its id. The random
 * part comes from SecureRandom (ids also name sessions, e.g. Engine.IO sids: not guessable), drawn
 * a thousand bytes at a time into a pool (one SecureRandom call per hundred milliseconds that make
 * ids, instead of two per id).
 */
public final class EventIds {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Random bytes not used yet: 10 (80 bits) per new millisecond. Guarded by the class lock. */
    private static final byte[] POOL = new byte[1000];
    private static int poolAt = POOL.length;
    private static long lastMillis;
    private static long randomHigh; // 16 bits
    private static long randomLow;  // 64 bits

    private EventIds() {}

    /** A new id, greater than every id this process made before. */
    public static synchronized String next() {
        long now = System.currentTimeMillis();
        if (now > lastMillis) {
            lastMillis = now;
            if (poolAt + 10 > POOL.length) {
                RANDOM.nextBytes(POOL);
                poolAt = 0;
            }
            randomHigh = ((POOL[poolAt] & 0xFFL) << 8) | (POOL[poolAt + 1] & 0xFFL);
            long low = 0;
            for (int i = poolAt + 2; i < poolAt + 10; i++) {
                low = (low << 8) | (POOL[i] & 0xFFL);
            }
            randomLow = low;
            poolAt += 10;
        } else if (++randomLow == 0 && ++randomHigh == (1 << 16)) {
            // 80 random bits exhausted within one millisecond: move to the next one.
            lastMillis++;
            randomHigh = 0;
        }
        return encode(lastMillis, randomHigh, randomLow);
    }

    /**
     * A deterministic id derived from {@code base} (an event id) and {@code salt}: the same inputs
     * always give the same id, with {@code base}'s timestamp. For records the processors synthesise
     * from one event (e.g. one leave per connection of an expired edge node), so a replay makes
     * the same ids again.
     */
    public static String derived(String base, String salt) {
        long millis = timestampOf(base);
        long h1 = 1125899906842597L;
        long h2 = 0x9E3779B97F4A7C15L;
        String text = base + "|" + salt;
        for (int i = 0; i < text.length(); i++) {
            h1 = 31 * h1 + text.charAt(i);
            h2 = (h2 ^ text.charAt(i)) * 0x100000001B3L;
        }
        return encode(millis, h1 & 0xFFFF, h2 ^ Long.rotateLeft(h1, 17));
    }

    /** The millisecond timestamp an id was made at. */
    public static long timestampOf(String id) {
        if (id == null || id.length() != 26) {
            throw new IllegalArgumentException("not an event id: " + id);
        }
        long millis = 0;
        for (int i = 0; i < 10; i++) {
            millis = (millis << 5) | decode(id.charAt(i));
        }
        return millis;
    }

    static String encode(long millis, long high16, long low64) {
        char[] out = new char[26];
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits as 16 characters: the high 16 bits then the low 64.
        long hi = high16;
        long lo = low64;
        for (int i = 25; i >= 10; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | ((hi & 31) << 59);
            hi >>>= 5;
        }
        return new String(out);
    }

    private static int decode(char c) {
        for (int i = 0; i < ALPHABET.length; i++) {
            if (ALPHABET[i] == Character.toUpperCase(c)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a base32 character: " + c);
    }
}
