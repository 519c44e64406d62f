package io.parley.edge.ws;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameTapTest {

    private static byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xFF);
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i & 3]);
        }
        return out.toByteArray();
    }

    /** Feeds the bytes one at a time (every boundary a network read could make) and returns the entries. */
    private static List<FrameTap.Entry> tapByteByByte(byte[]... frames) {
        FrameTap tap = new FrameTap();
        int count = 0;
        for (byte[] frame : frames) {
            for (byte b : frame) {
                tap.feed(new byte[] {b});
            }
            count++;
        }
        List<FrameTap.Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(tap.next());
        }
        return entries;
    }

    @Test
    void textSplitInsideCodePointsAcrossFragmentsIsDecodedWhole() {
        byte[] text = "a\u00e9\u20ac\uD83D\uDE00z".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 + 1 bytes
        List<FrameTap.Entry> entries = tapByteByByte(
                frame(false, 0x1, Arrays.copyOfRange(text, 0, 2)),
                frame(false, 0x0, Arrays.copyOfRange(text, 2, 5)),
                frame(true, 0x9, new byte[] {1}),
                frame(true, 0x0, Arrays.copyOfRange(text, 5, text.length)));
        assertThat(entries).containsExactly(
                new FrameTap.Text("a", false),
                new FrameTap.Text("\u00e9", false),
                new FrameTap.Other(),
                new FrameTap.Text("\u20ac\uD83D\uDE00z", true));
    }

    @Test
    void invalidUtf8IsA1007() {
        assertThat(tapByteByByte(frame(true, 0x1, new byte[] {'x', (byte) 0xC3, 0x28})).getFirst())
                .isEqualTo(new FrameTap.Violation(1007, "text message is not valid UTF-8"));
        // Overlong encodings and surrogates encoded in UTF-8 are invalid too.
        assertThat(tapByteByByte(frame(true, 0x1, new byte[] {(byte) 0xC0, (byte) 0xAF})).getFirst())
                .isInstanceOf(FrameTap.Violation.class);
        assertThat(tapByteByByte(frame(true, 0x1, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).getFirst())
                .isInstanceOf(FrameTap.Violation.class);
        assertThat(tapByteByByte(frame(true, 0x1, new byte[] {'o', 'k', (byte) 0xE2, (byte) 0x82})).getFirst())
                .isEqualTo(new FrameTap.Violation(1007, "text message ends inside a UTF-8 sequence"));
    }

    @Test
    void controlFrameRulesAre1002() {
        assertThat(tapByteByByte(frame(true, 0x9, new byte[126])).getFirst())
                .isEqualTo(new FrameTap.Violation(1002, "control frame payload over 125 bytes"));
        assertThat(tapByteByByte(frame(false, 0xA, new byte[1])).getFirst())
                .isEqualTo(new FrameTap.Violation(1002, "fragmented control frame"));
        assertThat(tapByteByByte(frame(true, 0x3, new byte[0])).getFirst())
                .isEqualTo(new FrameTap.Violation(1002, "reserved opcode 3"));
        assertThat(tapByteByByte(frame(true, 0x8, new byte[] {3})).getFirst())
                .isEqualTo(new FrameTap.Violation(1002, "close frame with a 1-byte payload"));
        assertThat(tapByteByByte(frame(true, 0x9, new byte[125])).getFirst()).isEqualTo(new FrameTap.Other());
    }

    @Test
    void aNewMessageInsideAFragmentedOneIs1002AndBinaryPassesThrough() {
        List<FrameTap.Entry> entries = tapByteByByte(
                frame(false, 0x1, "ab".getBytes(StandardCharsets.UTF_8)),
                frame(true, 0x2, new byte[] {1, 2}),
                frame(true, 0x2, new byte[300]));
        assertThat(entries.get(0)).isEqualTo(new FrameTap.Text("ab", false));
        assertThat(entries.get(1)).isEqualTo(new FrameTap.Violation(1002, "new data frame inside a fragmented message"));
        assertThat(entries.get(2)).isEqualTo(new FrameTap.Other());
    }
}
