/*
 * TextFragmentsTest owns the proof that a text goes onto a WebSocket session in exactly the frames
 * it always did (the per-send scan it replaced, kept here as the reference), now that the cuts are
 * worked out once per text and reused for every socket it is sent to: every size around the
 * limits, multi-byte characters and surrogate pairs never cut in two, texts alternating between
 * senders.
 */
package io.parley.edge.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.SocketContext;
import io.helidon.websocket.WsSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TextFragmentsTest {

    /** Records text frames as "fragment|last". */
    static final class Recording implements WsSession {
        final List<String> frames = new ArrayList<>();

        @Override public WsSession send(String text, boolean last) { frames.add(text + "|" + last); return this; }
        @Override public WsSession send(BufferData bufferData, boolean last) { throw new UnsupportedOperationException(); }
        @Override public WsSession ping(BufferData bufferData) { throw new UnsupportedOperationException(); }
        @Override public WsSession pong(BufferData bufferData) { throw new UnsupportedOperationException(); }
        @Override public WsSession close(int code, String reason) { throw new UnsupportedOperationException(); }
        @Override public WsSession terminate() { throw new UnsupportedOperationException(); }
        @Override public SocketContext socketContext() { throw new UnsupportedOperationException(); }
    }

    /** The former TextFragments.send, verbatim: the scan made for every send. */
    private static void reference(WsSession ws, String text) {
        int max = TextFragments.MAX_FRAGMENT_BYTES;
        int n = text.length();
        if (n <= max / 3) {
            ws.send(text, true);
            return;
        }
        int start = 0;
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
                chars = 2;
            } else {
                width = 3;
            }
            if (bytes + width > max) {
                ws.send(text.substring(start, i), false);
                start = i;
                bytes = 0;
            }
            bytes += width;
            i += chars;
        }
        ws.send(start == 0 ? text : text.substring(start), true);
    }

    @Test
    void framesAreTheSameAsTheScanPerSendMadeForEverySocket() {
        Random random = new Random(11);
        List<String> texts = new ArrayList<>();
        for (int length : new int[] {0, 1, 333, 334, 999, 1000, 1001, 2000, 2001, 5000}) {
            texts.add("a".repeat(length));
            texts.add("é".repeat(length / 2 + 1));
            texts.add("€".repeat(length / 3 + 1));
            texts.add("😀".repeat(length / 4 + 1));
        }
        for (int t = 0; t < 300; t++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(3000); k > 0; k--) {
                switch (random.nextInt(5)) {
                    case 0 -> s.append((char) (0x80 + random.nextInt(0x780)));
                    case 1 -> s.append((char) (0x800 + random.nextInt(0xD000)));
                    case 2 -> s.appendCodePoint(0x10000 + random.nextInt(0x1000));
                    case 3 -> s.append('\ud800'); // a lone surrogate: 3 bytes as Helidon encodes it (a replacement)
                    default -> s.append((char) (0x20 + random.nextInt(0x5F)));
                }
            }
            texts.add(s.toString());
        }
        for (String text : texts) {
            Recording expected = new Recording();
            reference(expected, text);
            for (int socket = 0; socket < 3; socket++) { // the cached cuts serve the next sockets
                Recording actual = new Recording();
                TextFragments.send(actual, text);
                assertThat(actual.frames).isEqualTo(expected.frames);
            }
            for (String frame : expected.frames) {
                assertThat(frame.substring(0, frame.lastIndexOf('|')).getBytes(StandardCharsets.UTF_8).length)
                        .isLessThanOrEqualTo(Math.max(TextFragments.MAX_FRAGMENT_BYTES, 0));
            }
        }
    }

    @Test
    void anEqualTextThatIsAnotherStringIsCutOnItsOwn() {
        String one = "ü".repeat(1500);
        String other = new String(one); // equal, not the same object
        Recording a = new Recording();
        Recording b = new Recording();
        TextFragments.send(a, one);
        TextFragments.send(b, other);
        assertThat(a.frames).isEqualTo(b.frames).hasSize(3);
        assertThat(String.join("", a.frames.stream().map(f -> f.substring(0, f.lastIndexOf('|'))).toList())).isEqualTo(one);
    }
}
