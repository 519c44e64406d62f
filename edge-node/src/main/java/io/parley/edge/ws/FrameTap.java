/*
 * FrameTap owns the RFC 6455 checks Helidon 4.3.1 does not make on client frames, by reading the
 * same bytes Helidon reads, as they arrive, before Helidon parses them: text messages decoded as
 * strict UTF-8 across fragment boundaries (Helidon decodes each frame alone and replaces invalid
 * bytes with U+FFFD: invalid UTF-8 -> 1007), control frames over 125 bytes or fragmented, reserved
 * opcodes, a new data message inside a fragmented one, a 1-byte close payload (-> 1002). It
 * records one entry per frame, in order; the TappedListener takes one per Helidon callback.
 */
package io.parley.edge.ws;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/** Used by one connection's reader thread only (feed in Helidon's read, next in its callbacks). */
final class FrameTap {

    /** What one client frame was, in the order the frames arrived. */
    sealed interface Entry permits Text, Other, Violation {}

    /** A text frame or a continuation of a text message: its characters, decoded strictly (a split code point goes to the next fragment). */
    record Text(String fragment, boolean last) implements Entry {}

    /** Any other frame (binary, its continuations, ping, pong, close): Helidon's own data is right. */
    record Other() implements Entry {}

    /** The frame breaks RFC 6455: close with this code. */
    record Violation(int closeCode, String reason) implements Entry {}

    private static final Other OTHER = new Other();
    private static final byte[] NO_CARRY = new byte[0];
    static final int MAX_CONTROL_PAYLOAD = 125;

    private enum State { HEADER_1, HEADER_2, LENGTH, MASK, PAYLOAD }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private State state = State.HEADER_1;
    // The frame being read.
    private boolean fin;
    private int opcode;
    private boolean masked;
    private int lengthBytes;
    private long length;
    private long remaining;
    private final byte[] mask = new byte[4];
    private int maskRead;
    private long payloadRead;
    private Violation violation;
    private StringBuilder text;
    // The message being read: 0 none, 1 text, 2 binary.
    private int message;
    /** Bytes of a code point split by a chunk or fragment boundary (at most 3). */
    private byte[] carry = NO_CARRY;

    /** The bytes Helidon is about to parse, in order. */
    void feed(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            switch (state) {
                case HEADER_1 -> {
                    int b = bytes[i++] & 0xFF;
                    fin = (b & 0x80) != 0;
                    opcode = b & 0x0F;
                    state = State.HEADER_2;
                }
                case HEADER_2 -> {
                    int b = bytes[i++] & 0xFF;
                    masked = (b & 0x80) != 0;
                    int len = b & 0x7F;
                    length = 0;
                    if (len == 126 || len == 127) {
                        lengthBytes = len == 126 ? 2 : 8;
                        state = State.LENGTH;
                    } else {
                        length = len;
                        afterLength();
                    }
                }
                case LENGTH -> {
                    length = (length << 8) | (bytes[i++] & 0xFF);
                    if (--lengthBytes == 0) {
                        afterLength();
                    }
                }
                case MASK -> {
                    mask[maskRead++] = bytes[i++];
                    if (maskRead == 4) {
                        startPayload();
                    }
                }
                case PAYLOAD -> {
                    int n = (int) Math.min(remaining, bytes.length - i);
                    payload(bytes, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        endFrame();
                    }
                }
            }
        }
    }

    /** The entry of the next frame Helidon hands over; {@link Other} if the tap has none (it never falls behind Helidon). */
    Entry next() {
        Entry entry = entries.poll();
        return entry == null ? OTHER : entry;
    }

    private void afterLength() {
        if (masked) {
            maskRead = 0;
            state = State.MASK;
        } else {
            startPayload(); // Helidon refuses unmasked client frames itself (1002)
        }
    }

    private void startPayload() {
        remaining = length;
        payloadRead = 0;
        violation = null;
        text = null;
        boolean control = opcode >= 0x8;
        if (opcode >= 0x3 && opcode <= 0x7 || opcode >= 0xB) {
            violation = new Violation(SendQueue.CloseCodes.PROTOCOL_ERROR, "reserved opcode " + opcode);
        } else if (control && length > MAX_CONTROL_PAYLOAD) {
            violation = new Violation(SendQueue.CloseCodes.PROTOCOL_ERROR, "control frame payload over 125 bytes");
        } else if (control && !fin) {
            violation = new Violation(SendQueue.CloseCodes.PROTOCOL_ERROR, "fragmented control frame");
        } else if (opcode == 0x8 && length == 1) {
            violation = new Violation(SendQueue.CloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte payload");
        } else if ((opcode == 0x1 || opcode == 0x2) && message != 0) {
            violation = new Violation(SendQueue.CloseCodes.PROTOCOL_ERROR, "new data frame inside a fragmented message");
        } else if (opcode == 0x1) {
            message = 1;
            decoder.reset();
            carry = NO_CARRY;
            text = new StringBuilder();
        } else if (opcode == 0x2) {
            message = 2;
        } else if (opcode == 0x0 && message == 1) {
            text = new StringBuilder();
        }
        state = State.PAYLOAD;
        if (remaining == 0) {
            endFrame();
        }
    }

    private void payload(byte[] bytes, int offset, int n) {
        if (text == null || violation != null) {
            payloadRead += n;
            return;
        }
        byte[] chunk = new byte[carry.length + n];
        System.arraycopy(carry, 0, chunk, 0, carry.length);
        for (int k = 0; k < n; k++) {
            byte b = bytes[offset + k];
            chunk[carry.length + k] = masked ? (byte) (b ^ mask[(int) ((payloadRead + k) & 3)]) : b;
        }
        payloadRead += n;
        ByteBuffer in = ByteBuffer.wrap(chunk);
        CharBuffer out = CharBuffer.allocate(chunk.length);
        CoderResult result = decoder.decode(in, out, false);
        if (result.isError()) {
            violation = new Violation(SendQueue.CloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8");
            return;
        }
        text.append(out.flip());
        if (in.hasRemaining()) {
            carry = new byte[in.remaining()];
            in.get(carry);
        } else {
            carry = NO_CARRY;
        }
    }

    private void endFrame() {
        Entry entry;
        boolean data = opcode <= 0x2;
        if (violation != null) {
            entry = violation;
            if (data) {
                message = 0;
            }
        } else if (text != null) {
            if (fin && carry.length > 0) {
                entry = new Violation(SendQueue.CloseCodes.INVALID_PAYLOAD, "text message ends inside a UTF-8 sequence");
            } else {
                entry = new Text(text.toString(), fin);
            }
        } else {
            entry = OTHER;
        }
        if (data && fin) {
            message = 0;
            carry = NO_CARRY;
        }
        entries.add(entry);
        text = null;
        state = State.HEADER_1;
    }
}
