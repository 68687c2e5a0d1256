package ai.alo.audio.it;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Drives one deployed application through its servlets (mostly the control servlet), from the test JVM. */
final class AppControl {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final URI base;

    AppControl(URL contextRoot) {
        // Payara may report a non-loopback host; the servers listen on loopback
        this.base = URI.create("http://127.0.0.1:" + contextRoot.getPort() + contextRoot.getPath()
                + (contextRoot.getPath().endsWith("/") ? "" : "/"));
    }

    AppControl(int port, String context) {
        this.base = URI.create("http://127.0.0.1:" + port + "/" + context + "/");
    }

    String connect(String channel) throws Exception {
        return call("connect", "channel", channel);
    }

    String connectNamed(String name, String channel) throws Exception {
        return call("connect-named", "name", name, "channel", channel);
    }

    String disconnect() throws Exception {
        return call("disconnect");
    }

    String state() throws Exception {
        return call("state");
    }

    void clear() throws Exception {
        call("clear");
    }

    List<String> events() throws Exception {
        String body = call("events");
        return body.isEmpty() ? List.of() : Arrays.asList(body.split("\n"));
    }

    /** Waits until the application's event log has a line matching {@code filter}; returns all lines. */
    List<String> awaitEvents(String what, Predicate<List<String>> filter) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ReferenceService.WAIT_SECONDS);
        List<String> lines = events();
        while (!filter.test(lines)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; the application saw " + lines);
            }
            synchronized (this) {
                wait(50);
            }
            lines = events();
        }
        return lines;
    }

    static List<String> matching(List<String> lines, String prefix, String... contains) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith(prefix) && Arrays.stream(contains).allMatch(line::contains)) {
                out.add(line);
            }
        }
        return out;
    }

    private String call(String op, String... params) throws IOException, InterruptedException {
        return get("control", op, params);
    }

    /**
     * Calls one of the application's servlets.
     *
     * @param servlet the servlet's path under the context root, e.g. {@code "control"}
     * @param op      the operation
     * @param params  further parameters, name then value
     * @return the answer's body
     * @throws AssertionError if the answer is not HTTP 200
     */
    String get(String servlet, String op, String... params) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request(servlet, op, params), HttpResponse.BodyHandlers.ofString());
        return body(op, response);
    }

    /**
     * Sends {@code count} identical requests at once, each on its own connection if need be, and waits for all.
     *
     * @return the answers' bodies
     * @throws AssertionError if an answer is not HTTP 200
     */
    List<String> getConcurrently(int count, String servlet, String op, String... params) {
        HttpRequest request = request(servlet, op, params);
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            bodies.add(body(op, call.join()));
        }
        return bodies;
    }

    private HttpRequest request(String servlet, String op, String... params) {
        StringBuilder query = new StringBuilder(servlet).append("?op=").append(op);
        for (int i = 0; i + 1 < params.length; i += 2) {
            query.append('&').append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        return HttpRequest.newBuilder(base.resolve(query.toString())).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static String body(String op, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(op + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
