/*
 * IdleSockets owns the client side of IdleHeapIT, run as its own process so that none of its
 * objects are on the measured heap: it opens one raw WebSocket (RFC 6455 handshake over a plain
 * socket, token in the Authorization header) per token of a file, then waits for commands on
 * stdin ("ping": one masked ping text frame on every socket; end of input: close them all).
 */
package io.parley.edge;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class IdleSockets {
    private IdleSockets() {}

    /**
     * Arguments: host port tokenFile. Prints "OPEN n FAILED m"; then per "ping" on stdin "PINGED n",
     * then "PONGED n" (sockets whose ping was answered).
     */
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        List<String> tokens = Files.readAllLines(Path.of(args[2]));
        List<Socket> sockets = new ArrayList<>();
        int failed = 0;
        for (String token : tokens) {
            try {
                sockets.add(open(host, port, token));
            } catch (Exception e) {
                failed++;
            }
        }
        System.out.println("OPEN " + sockets.size() + " FAILED " + failed);
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = commands.readLine()) != null) {
            if (command.equals("ping")) {
                byte[] frame = maskedText("{\"op\":\"ping\",\"ref\":\"p\"}");
                int sent = 0;
                for (Socket socket : sockets) {
                    try {
                        socket.getOutputStream().write(frame);
                        sent++;
                    } catch (Exception e) {
                        // counted by the difference
                    }
                }
                System.out.println("PINGED " + sent);
                System.out.flush();
                System.out.println("PONGED " + readUntil(sockets, "\"ref\":\"p\""));
                System.out.flush();
            }
        }
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    /** Reads each socket's text messages until one contains {@code marker} (30 s each at most): how many did. */
    private static int readUntil(List<Socket> sockets, String marker) {
        int seen = 0;
        for (Socket socket : sockets) {
            try {
                socket.setSoTimeout(30_000);
                String text;
                do {
                    text = readText(socket.getInputStream());
                } while (!text.contains(marker));
                seen++;
            } catch (Exception e) {
                if (seen == 0) {
                    System.err.println("IdleSockets: no '" + marker + "' on the first socket: " + e);
                }
            }
        }
        return seen;
    }

    /** One text message from the server (unmasked frames, fragments joined; control frames skipped). */
    private static String readText(InputStream in) throws Exception {
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        while (true) {
            int b0 = readByte(in);
            int b1 = readByte(in);
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (readByte(in) << 8) | readByte(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(in);
                }
            }
            byte[] payload = in.readNBytes((int) length);
            int opcode = b0 & 0x0f;
            if (opcode >= 0x8) {
                continue; // ping, pong, close: not a message
            }
            message.write(payload);
            if ((b0 & 0x80) != 0) {
                return message.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static int readByte(InputStream in) throws Exception {
        int b = in.read();
        if (b < 0) {
            throw new java.io.EOFException();
        }
        return b;
    }

    private static Socket open(String host, int port, String token) throws Exception {
        Socket socket = new Socket(host, port);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("closed during the handshake");
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IllegalStateException("refused: " + head.toString().lines().findFirst().orElse(""));
        }
        return socket;
    }

    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }
}
