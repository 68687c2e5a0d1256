package ai.alo.audio.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Serves the web console ({@code docs/reference-server.md}, "Web console") from the server's own Grizzly
 * {@code HttpServer}, next to the WebSocket: three fixed class-path resources under {@value #PATH}, and redirects from
 * {@code /} and {@code /console} to it. Any other path is 404, any method but GET and HEAD 405. There is no file
 * system access and no path resolution: only the names in the table can be served, so a crafted path cannot reach
 * anything else.
 *
 * <p>Every response carries {@code Cache-Control: no-store}, {@code X-Content-Type-Options: nosniff},
 * {@code Referrer-Policy: no-referrer}, and a {@code Content-Security-Policy} that allows scripts, styles and network
 * connections (the WebSocket) only to the page's own origin, no inline script or style, no frames, no forms; and
 * {@code Connection: close}, so that a browser keeps no idle HTTP connection open (which would otherwise count
 * against a graceful stop and run into the upgrade timeout).
 *
 * <p>The resources are read once, when the handler is created; {@code index.html} gets the server's WebSocket path
 * (HTML-escaped) in place of {@value #PATH_PLACEHOLDER}. Thread-safe: immutable after construction, called on
 * Grizzly worker threads.
 */
final class ConsoleHandler extends HttpHandler {

    /** Where the console is served. */
    static final String PATH = "/console/";

    /** The Content-Security-Policy of every response. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    /** Replaced in {@code index.html} by the WebSocket path. */
    static final String PATH_PLACEHOLDER = "{{WEBSOCKET_PATH}}";

    private static final String RESOURCES = "/ai/alo/audio/server/console/";

    /** One servable file. */
    private record Resource(byte[] body, String contentType) {
    }

    private final Map<String, Resource> resources;

    /**
     * Reads the console's resources.
     *
     * @param websocketPath the server's WebSocket path, such as {@code /audio}
     * @throws IllegalStateException if a resource is missing from the class path
     */
    ConsoleHandler(String websocketPath) {
        super("alo-audio-console");
        String index = new String(read("index.html"), StandardCharsets.UTF_8)
                .replace(PATH_PLACEHOLDER, escapeHtml(websocketPath));
        Resource html = new Resource(index.getBytes(StandardCharsets.UTF_8), "text/html;charset=utf-8");
        this.resources = Map.of(
                PATH, html,
                PATH + "index.html", html,
                PATH + "console.js", new Resource(read("console.js"), "text/javascript;charset=utf-8"),
                PATH + "console.css", new Resource(read("console.css"), "text/css;charset=utf-8"));
    }

    @Override
    public void service(Request request, Response response) throws IOException {
        HttpRequestPacket packet = request.getRequest();
        if (packet.isUpgrade()) {
            // Another upgrade than WebSocket (which Tyrus took before this handler), such as the JDK HttpClient's h2c
            // offer: refuse it by answering in HTTP/1.1, as HTTP allows. Grizzly would otherwise treat the exchange
            // as upgraded and leave out the response's Content-Type.
            packet.getUpgradeDC().recycle();
            packet.setIgnoreContentModifiers(false);
        }
        packet.getProcessingState().setKeepAlive(false);
        response.setHeader("Connection", "close");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        Method method = request.getMethod();
        boolean head = Method.HEAD.equals(method);
        if (!head && !Method.GET.equals(method)) {
            response.setHeader("Allow", "GET, HEAD");
            text(response, 405, "Method not allowed", false);
            return;
        }
        String path = request.getRequestURI();
        if ("/".equals(path) || "/console".equals(path)) {
            response.setHeader("Location", PATH);
            text(response, 302, "The web console is at " + PATH, head);
            return;
        }
        Resource resource = resources.get(path);
        if (resource == null) {
            text(response, 404, "Not found", head);
            return;
        }
        response.setStatus(200);
        response.setContentType(resource.contentType());
        response.setContentLength(resource.body().length);
        if (!head) {
            try (OutputStream out = response.getOutputStream()) {
                out.write(resource.body());
            }
        }
    }

    private static void text(Response response, int status, String text, boolean head) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(body.length);
        if (!head) {
            try (OutputStream out = response.getOutputStream()) {
                out.write(body);
            }
        }
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleHandler.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("The web console's resource " + RESOURCES + name
                        + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the web console's resource " + RESOURCES + name + ": "
                    + e.getMessage(), e);
        }
    }

    private static String escapeHtml(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
