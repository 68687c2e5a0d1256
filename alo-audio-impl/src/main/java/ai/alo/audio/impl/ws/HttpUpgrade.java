package ai.alo.audio.impl.ws;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.glassfish.tyrus.core.TyrusUpgradeResponse;
import org.glassfish.tyrus.spi.UpgradeRequest;

/**
 * The HTTP/1.1 part of a WebSocket connect: the upgrade request as bytes, and the server's response read back into
 * Tyrus's {@link TyrusUpgradeResponse}, which Tyrus validates (status 101, {@code Upgrade}, {@code Connection},
 * {@code Sec-WebSocket-Accept}).
 *
 * <p>A response is read up to its blank line; bytes after it already belong to the WebSocket and are handed back.
 * Responses larger than {@value #MAX_RESPONSE_HEAD} bytes, and lines that are not HTTP, are refused.
 *
 * <p>Not thread-safe: one instance per connect, used on its loop thread.
 */
final class HttpUpgrade {

    /** The largest response head (status line and headers) accepted. */
    static final int MAX_RESPONSE_HEAD = 16 * 1024;

    private byte[] head = new byte[1024];
    private int length;

    /**
     * The request's bytes: {@code GET} line and the headers Tyrus prepared (the {@code Authorization} header
     * among them).
     *
     * @param request Tyrus's upgrade request
     * @return the bytes, ready to write
     */
    static ByteBuffer request(UpgradeRequest request) {
        URI uri = request.getRequestURI();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder text = new StringBuilder(512).append("GET ").append(path);
        if (uri.getRawQuery() != null) {
            text.append('?').append(uri.getRawQuery());
        }
        text.append(" HTTP/1.1\r\n");
        for (Map.Entry<String, List<String>> header : request.getHeaders().entrySet()) {
            List<String> values = header.getValue();
            if (values == null || values.isEmpty()) {
                continue;
            }
            text.append(header.getKey()).append(": ").append(String.join(", ", values)).append("\r\n");
        }
        text.append("\r\n");
        return ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Adds received bytes. When the response head is complete, returns it, leaving the bytes that follow it in
     * {@code data} (position at the first WebSocket byte).
     *
     * @param data received bytes; consumed up to the end of the head, or entirely while it is incomplete
     * @return the parsed response, or null while more bytes are needed
     * @throws IOException if the response is too large or not HTTP
     */
    TyrusUpgradeResponse offer(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (length == head.length) {
                if (head.length >= MAX_RESPONSE_HEAD) {
                    throw new IOException("the HTTP response to the WebSocket upgrade is larger than "
                            + MAX_RESPONSE_HEAD + " bytes");
                }
                byte[] bigger = new byte[Math.min(MAX_RESPONSE_HEAD, head.length * 2)];
                System.arraycopy(head, 0, bigger, 0, length);
                head = bigger;
            }
            head[length++] = data.get();
            if (length >= 4 && head[length - 1] == '\n' && head[length - 2] == '\r' && head[length - 3] == '\n'
                    && head[length - 4] == '\r') {
                return parse(new String(head, 0, length - 4, StandardCharsets.ISO_8859_1));
            }
        }
        return null;
    }

    private static TyrusUpgradeResponse parse(String text) throws IOException {
        String[] lines = text.split("\r\n", -1);
        String status = lines[0];
        if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
            throw new IOException("the answer to the WebSocket upgrade is not an HTTP/1.1 response");
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("the answer to the WebSocket upgrade has no valid HTTP status", e);
        }
        TyrusUpgradeResponse response = new TyrusUpgradeResponse();
        response.setStatus(code);
        response.setReasonPhrase(status.length() > 13 ? status.substring(13) : "");
        Map<String, List<String>> headers = response.getHeaders();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("the answer to the WebSocket upgrade has a malformed header line");
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
        return response;
    }
}
