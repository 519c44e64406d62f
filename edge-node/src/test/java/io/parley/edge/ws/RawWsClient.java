/*
 * RawWsClient owns the test kit for speaking RFC 6455 by hand on a plain java.net.Socket: the
 * upgrade request, masked client frames of any opcode/FIN/payload (including ones a normal client
 * library refuses to send: invalid UTF-8, oversized control frames, fragments split inside a code
 * point), and reading the server's frames back. Reads wait with a deadline (the socket timeout),
 * never a sleep.
 */
package io.parley.edge.ws;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

public final class RawWsClient implements AutoCloseable {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;
    /** A deadline for what must arrive, not a latency bound. */
    public static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One server frame. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame (1005 when it has none). */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    /** The server's answer to the upgrade request. */
    public record Handshake(int status, Map<String, String> headers) {}

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Handshake handshake;

    private RawWsClient(Socket socket, DataInputStream in, OutputStream out, Handshake handshake) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.handshake = handshake;
    }

    /** Opens a WebSocket to {@code pathAndQuery}; throws unless the server answers 101. */
    public static RawWsClient connect(String host, int port, String pathAndQuery, Map<String, String> headers) throws IOException {
        RawWsClient client = open(host, port, pathAndQuery, headers);
        if (client.handshake.status() != 101) {
            client.close();
            throw new IOException("upgrade refused with HTTP " + client.handshake.status());
        }
        return client;
    }

    /** Sends the upgrade request and reads the status line and headers, whatever they are. */
    public static RawWsClient open(String host, int port, String pathAndQuery, Map<String, String> headers) throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        socket.setTcpNoDelay(true);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String status = line(in);
        Map<String, String> answer = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                answer.put(header.substring(0, colon).strip().toLowerCase(), header.substring(colon + 1).strip());
            }
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        if (code == 101 && !accept(key).equals(answer.get("sec-websocket-accept"))) {
            socket.close();
            throw new IOException("wrong Sec-WebSocket-Accept");
        }
        return new RawWsClient(socket, in, out, new Handshake(code, answer));
    }

    public Handshake handshake() {
        return handshake;
    }

    /** Sends one masked frame exactly as given. */
    public void frame(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        synchronized (out) {
            out.write(frame.toByteArray());
            out.flush();
        }
    }

    /** One whole text message in one frame. */
    public void text(String text) throws IOException {
        frame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public void ping(byte[] payload) throws IOException {
        frame(true, PING, payload);
    }

    /** Sends a close frame with {@code code}. */
    public void sendClose(int code) throws IOException {
        frame(true, CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    /** The next server frame; throws on timeout or end of stream. */
    public Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if ((b1 & 0x80) != 0) {
            throw new IOException("the server masked a frame");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /** Reads until a frame matches (others are skipped). */
    public Frame await(Predicate<Frame> wanted) throws IOException {
        while (true) {
            Frame frame = read();
            if (wanted.test(frame)) {
                return frame;
            }
            if (frame.opcode() == CLOSE) {
                throw new IOException("closed with " + frame.closeCode() + " " + frame.closeReason() + " while waiting");
            }
        }
    }

    /** Reads until a text frame containing {@code fragment}. */
    public String awaitText(String fragment) throws IOException {
        return await(f -> f.opcode() == TEXT && f.text().contains(fragment)).text();
    }

    /** Reads until the server's close frame and returns it (other frames are skipped). */
    public Frame awaitClose() throws IOException {
        while (true) {
            Frame frame = read();
            if (frame.opcode() == CLOSE) {
                return frame;
            }
        }
    }

    /** True once the server ended the TCP connection (a read hits end of stream before the deadline). */
    public boolean awaitEndOfStream() throws IOException {
        try {
            InputStream raw = in;
            while (raw.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static String line(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int previous = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            if (c == '\n' && previous == '\r') {
                line.setLength(line.length() - 1);
                return line.toString();
            }
            line.append((char) c);
            previous = c;
        }
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
