package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal WebSocket client on a plain blocking {@link Socket}, for what a real client library will not do: send a
 * frame header alone, fragment by hand, send many frames in one write, bind another loopback source address, shrink
 * its receive buffer and never read. No thread of its own; every read is bounded by a socket timeout.
 */
final class RawWebSocket implements Closeable {

    /**
     * A frame from the server.
     *
     * @param opcode  the opcode
     * @param fin     whether it is final
     * @param payload the payload
     */
    record Frame(int opcode, boolean fin, byte[] payload) {

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;
    private final Map<String, String> headers;

    private RawWebSocket(Socket socket, DataInputStream in, int status, Map<String, String> headers)
            throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.status = status;
        this.headers = headers;
    }

    /**
     * Opens a TCP connection and sends the upgrade request; returns after the response head (any status).
     *
     * @param uri           the server's WebSocket URI
     * @param token         the bearer token, or null for none
     * @param localAddress  the source address to bind (such as 127.0.0.2), or null
     * @param receiveBuffer the socket receive buffer to ask for, or 0 for the default
     */
    static RawWebSocket open(URI uri, String token, InetAddress localAddress, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.setSoTimeout((int) TestPeer.WAIT.toMillis());
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) TestPeer.WAIT.toMillis());
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(uri.getPath()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            if (token != null) {
                request.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).strip());
                }
            }
            return new RawWebSocket(socket, in, Integer.parseInt(statusLine[1]), headers);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Opens and fails the test unless the server answered 101. */
    static RawWebSocket upgraded(URI uri, String token) throws IOException {
        RawWebSocket ws = open(uri, token, null, 0);
        if (ws.status() != 101) {
            ws.close();
            fail("upgrade answered " + ws.status() + " " + ws.headers);
        }
        return ws;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the response head: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (head.size() > 16 * 1024) {
                throw new IOException("response head too long");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1).strip();
    }

    /** The HTTP status of the upgrade response. */
    int status() {
        return status;
    }

    /** A response header (case-insensitive), or null. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Sends one masked text frame. */
    void sendText(String text) throws IOException {
        sendFrame(true, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked frame. */
    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        out.write(frame(fin, opcode, payload));
        out.flush();
    }

    /** Sends bytes as they are (for example several frames in one write). */
    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends only the header of a masked frame that announces {@code length} payload bytes. */
    void sendFrameHeader(boolean fin, int opcode, long length) throws IOException {
        out.write(header(fin, opcode, length, new byte[4]));
        out.flush();
    }

    /** A masked client frame. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] header = header(fin, opcode, payload.length, mask);
        byte[] frame = new byte[header.length + payload.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        for (int i = 0; i < payload.length; i++) {
            frame[header.length + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    private static byte[] header(boolean fin, int opcode, long length, byte[] mask) {
        ByteArrayOutputStream header = new ByteArrayOutputStream(14);
        header.write((fin ? 0x80 : 0) | opcode);
        if (length <= 125) {
            header.write(0x80 | (int) length);
        } else if (length <= 0xffff) {
            header.write(0x80 | 126);
            header.write((int) (length >> 8) & 0xff);
            header.write((int) length & 0xff);
        } else {
            header.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                header.write((int) (length >> shift) & 0xff);
            }
        }
        header.writeBytes(mask);
        return header.toByteArray();
    }

    /** Reads the next frame from the server (bounded by the socket timeout). */
    Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if ((b1 & 0x80) != 0) {
            in.readInt();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
    }

    /** Reads frames until a text frame or a close frame; returns it. */
    Frame readTextOrClose() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == 1 || frame.opcode() == 8) {
                return frame;
            }
        }
    }

    /** Reads frames until the close frame; fails on timeout. */
    Frame readUntilClose() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == 8) {
                return frame;
            }
        }
    }

    /**
     * Reads (and drops) until the server ends the TCP connection.
     *
     * @param within the longest wait
     * @return {@code true} if it ended (EOF or reset), {@code false} if still open after {@code within}
     */
    boolean awaitEnd(Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        try {
            byte[] buffer = new byte[8192];
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout((int) TestPeer.WAIT.toMillis());
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
