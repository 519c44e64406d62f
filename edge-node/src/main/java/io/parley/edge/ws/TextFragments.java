/*
 * TextFragments owns how a text message goes onto a Helidon WebSocket session: whole when its
 * UTF-8 form fits MAX_FRAGMENT_BYTES, else as one fragmented message (RFC 6455 5.4: a text frame
 * with FIN clear, continuation frames, the last with FIN set), cut between code points. Why:
 * Helidon 4.3.1's WsConnection copies every frame into one per-connection growing buffer (1 KiB
 * at first) that keeps the largest size it ever reached, so a single 20-KB frame (e.g. seed 004's
 * online-users list of 1,000 users) made every idle connection that received it 20 KB heavier for
 * the rest of its life (issue 10 d: measured with a heap dump, GrowingBufferData.bytes). Clients
 * see one message: every WebSocket client reassembles fragments. Where a text is cut is worked
 * out once per text, not per socket: a fan-out writes the same String to every socket of the room
 * at about the same time, so the last text's cuts are kept (compared by identity).
 */
package io.parley.edge.ws;

import io.helidon.websocket.WsSession;

/** Stateless. */
final class TextFragments {
    /**
     * Largest UTF-8 payload per frame: with the at most 4-byte header of a server frame under 64 KiB
     * it stays within Helidon's initial 1,024-byte send buffer.
     */
    static final int MAX_FRAGMENT_BYTES = 1_000;

    /** A text and the char indices where its fragments after the first start (none: it goes whole). */
    private record Cuts(String text, int[] at) {}

    private static final int[] WHOLE = new int[0];
    /** The cuts of the text sent last (any socket, any thread). */
    private static volatile Cuts last;

    private TextFragments() {}

    /** Sends {@code text} as one message on {@code ws}: one frame, or fragments of at most {@link #MAX_FRAGMENT_BYTES}. */
    static void send(WsSession ws, String text) {
        int n = text.length();
        if (n <= MAX_FRAGMENT_BYTES / 3) { // at most 3 UTF-8 bytes per char: fits, no need to count
            ws.send(text, true);
            return;
        }
        Cuts cuts = last;
        if (cuts == null || cuts.text() != text) {
            cuts = new Cuts(text, cutsOf(text));
            last = cuts;
        }
        int[] at = cuts.at();
        if (at.length == 0) {
            ws.send(text, true);
            return;
        }
        int start = 0;
        for (int cut : at) {
            ws.send(text.substring(start, cut), false);
            start = cut;
        }
        ws.send(text.substring(start), true);
    }

    /** Where {@code text}'s fragments after the first start, cut between code points; empty when it fits one frame. */
    static int[] cutsOf(String text) {
        int n = text.length();
        int[] at = WHOLE;
        int count = 0;
        int bytes = 0;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            int width;
            int chars = 1;
            if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                width = 4;
                chars = 2; // a code point outside the BMP is never cut in two
            } else {
                width = 3;
            }
            if (bytes + width > MAX_FRAGMENT_BYTES) {
                if (count == at.length) {
                    at = java.util.Arrays.copyOf(at, Math.max(4, count * 2));
                }
                at[count++] = i;
                bytes = 0;
            }
            bytes += width;
            i += chars;
        }
        return count == at.length ? at : java.util.Arrays.copyOf(at, count);
    }
}
