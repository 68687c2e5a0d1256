package ai.alo.audio.testing;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One tab of a {@link Chromium}, attached over the DevTools Protocol: evaluates JavaScript in the page and records
 * what the page logs (console calls, uncaught exceptions, browser log entries such as Content-Security-Policy
 * violations).
 *
 * <p>Thread-safe. {@link #evaluate} blocks until the expression (and the promise it returns, if any) is done, at most
 * 30 s. Expressions run with a user gesture, so they may start audio or media like a click would.
 * {@link #close()} closes the tab; closing the browser closes every page.
 */
public final class ChromiumPage implements AutoCloseable {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 50;
    private static final int MAX_LOG_ENTRIES = 2_000;

    private final Chromium browser;
    private final String targetId;
    private final String sessionId;
    private final List<String> log = new ArrayList<>();
    private final List<String> framesSent = new ArrayList<>();
    private final List<String> framesReceived = new ArrayList<>();
    private volatile boolean closed;

    ChromiumPage(Chromium browser, String targetId, String sessionId) {
        this.browser = browser;
        this.targetId = targetId;
        this.sessionId = sessionId;
    }

    /**
     * Evaluates a JavaScript expression in the page and returns its value, awaiting it when it is a promise.
     *
     * @param expression JavaScript, such as {@code "1 + 1"} or {@code "window.aloConsole.status()"}
     * @return the value as JSON ({@link JsonValue#NULL} for {@code undefined} and {@code null})
     * @throws ChromiumException when the expression throws (the message has the JavaScript error), the value cannot
     *                           be serialized, or the page does not answer within 30 s
     */
    public JsonValue evaluate(String expression) {
        Objects.requireNonNull(expression, "expression");
        JsonObject result = call("Runtime.evaluate", DevToolsConnection.object()
                .add("expression", expression)
                .add("returnByValue", true)
                .add("awaitPromise", true)
                .add("userGesture", true)
                .build());
        JsonObject exception = result.getJsonObject("exceptionDetails");
        if (exception != null) {
            JsonObject thrown = exception.getJsonObject("exception");
            String description = thrown != null ? thrown.getString("description", thrown.toString())
                    : exception.getString("text", exception.toString());
            throw new ChromiumException("JavaScript threw: " + description);
        }
        JsonObject remote = result.getJsonObject("result");
        if (remote == null || "undefined".equals(remote.getString("type", ""))) {
            return JsonValue.NULL;
        }
        JsonValue value = remote.get("value");
        if (value == null) {
            // a value that has no JSON form (NaN, Infinity, -0, a bigint) comes as unserializableValue
            String unserializable = remote.getString("unserializableValue", null);
            if (unserializable != null) {
                throw new ChromiumException("The value of the expression has no JSON form: " + unserializable);
            }
            return JsonValue.NULL;
        }
        return value;
    }

    /**
     * Evaluates an expression whose value is a number.
     *
     * @param expression JavaScript
     * @return the number
     * @throws ChromiumException as {@link #evaluate}, or when the value is not a number
     */
    public double evaluateNumber(String expression) {
        JsonValue value = evaluate(expression);
        if (value instanceof JsonNumber number) {
            return number.doubleValue();
        }
        throw new ChromiumException("Expected a number from the expression, got " + value);
    }

    /**
     * Evaluates an expression whose value is a string.
     *
     * @param expression JavaScript
     * @return the string
     * @throws ChromiumException as {@link #evaluate}, or when the value is not a string
     */
    public String evaluateString(String expression) {
        JsonValue value = evaluate(expression);
        if (value instanceof JsonString string) {
            return string.getString();
        }
        throw new ChromiumException("Expected a string from the expression, got " + value);
    }

    /**
     * Evaluates an expression whose value is an object.
     *
     * @param expression JavaScript
     * @return the object
     * @throws ChromiumException as {@link #evaluate}, or when the value is not an object
     */
    public JsonObject evaluateObject(String expression) {
        JsonValue value = evaluate(expression);
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new ChromiumException("Expected an object from the expression, got " + value);
    }

    /**
     * Evaluates an expression every 50 ms until it is truthy. Evaluation errors (for example while the page
     * navigates) count as "not yet".
     *
     * @param expression JavaScript
     * @param timeout    how long to keep trying
     * @throws ChromiumException when it is still not truthy after {@code timeout}; the message has the last value or
     *                           error and what the page logged
     */
    public void awaitTrue(String expression, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try {
                JsonValue value = evaluate("!!(" + expression + ")");
                if (value == JsonValue.TRUE) {
                    return;
                }
                last = String.valueOf(value);
            } catch (ChromiumException e) {
                if (closed || browser.isClosed()) {
                    throw e;
                }
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new ChromiumException("Still not true after " + timeout + ": " + expression + " (last: " + last
                        + ")\nPage log:\n" + String.join("\n", log()));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChromiumException("Interrupted while waiting for " + expression, e);
            }
        }
    }

    /**
     * A PNG screenshot of the page's viewport, for a failing test to keep next to its report.
     *
     * @return the PNG bytes
     * @throws ChromiumException when the page does not answer within 30 s
     */
    public byte[] screenshot() {
        String data = call("Page.captureScreenshot", DevToolsConnection.object().add("format", "png").build())
                .getString("data", "");
        return java.util.Base64.getDecoder().decode(data);
    }

    /**
     * What the page logged so far, oldest first (at most the last 2,000 entries): {@code console.*} calls as
     * {@code "console.<type>: <args>"}, uncaught exceptions as {@code "exception: <description>"}, and browser log
     * entries as {@code "log.<source>.<level>: <text>"} (Content-Security-Policy violations come as
     * {@code log.security.error} or {@code log.other.error} with a text naming the policy).
     *
     * @return a copy
     */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /**
     * The text of every WebSocket frame the page sent, oldest first, when the page was opened with
     * {@link Chromium#open(URI, boolean) recordWebSocketFrames}; else empty. The handshake (which may carry a token)
     * is not recorded.
     *
     * @return a copy
     */
    public List<String> webSocketFramesSent() {
        synchronized (framesSent) {
            return List.copyOf(framesSent);
        }
    }

    /**
     * The text of every WebSocket frame the page received; see {@link #webSocketFramesSent()}.
     *
     * @return a copy
     */
    public List<String> webSocketFramesReceived() {
        synchronized (framesReceived) {
            return List.copyOf(framesReceived);
        }
    }

    /** Closes the tab. Idempotent; also done by closing the browser. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        browser.forget(this);
        if (!browser.isClosed()) {
            try {
                browser.devTools().call(null, "Target.closeTarget",
                        DevToolsConnection.object().add("targetId", targetId).build(), CALL_TIMEOUT);
            } catch (ChromiumException e) {
                // the browser is going away anyway
            }
        }
    }

    // ---------------------------------------------------------------- internals

    JsonObject call(String method, JsonObject params) {
        if (closed) {
            throw new ChromiumException("This page is closed");
        }
        browser.requireOpen();
        return browser.devTools().call(sessionId, method, params, CALL_TIMEOUT);
    }

    /** A DevTools event of this page's session; on a WebSocket thread. */
    void onEvent(JsonObject event) {
        String method = event.getString("method", "");
        JsonObject params = event.getJsonObject("params");
        if (params == null) {
            return;
        }
        if (method.equals("Network.webSocketFrameSent") || method.equals("Network.webSocketFrameReceived")) {
            JsonObject response = params.getJsonObject("response");
            if (response != null && response.getInt("opcode", 0) == 1) {
                List<String> frames = method.endsWith("Sent") ? framesSent : framesReceived;
                synchronized (frames) {
                    frames.add(response.getString("payloadData", ""));
                }
            }
            return;
        }
        String entry = switch (method) {
            case "Runtime.consoleAPICalled" -> "console." + params.getString("type", "?") + ": "
                    + describeArgs(params.getJsonArray("args"));
            case "Runtime.exceptionThrown" -> "exception: " + describeException(params.getJsonObject(
                    "exceptionDetails"));
            case "Log.entryAdded" -> {
                JsonObject logEntry = params.getJsonObject("entry");
                yield logEntry == null ? null : "log." + logEntry.getString("source", "?") + "."
                        + logEntry.getString("level", "?") + ": " + logEntry.getString("text", "");
            }
            default -> null;
        };
        if (entry != null) {
            synchronized (log) {
                log.add(entry);
                if (log.size() > MAX_LOG_ENTRIES) {
                    log.remove(0);
                }
            }
        }
    }

    private static String describeArgs(JsonArray args) {
        if (args == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (JsonValue arg : args) {
            if (arg instanceof JsonObject object) {
                JsonValue value = object.get("value");
                parts.add(value instanceof JsonString string ? string.getString()
                        : value != null ? value.toString() : object.getString("description",
                        object.getString("type", "?")));
            }
        }
        return String.join(" ", parts);
    }

    private static String describeException(JsonObject details) {
        if (details == null) {
            return "?";
        }
        JsonObject exception = details.getJsonObject("exception");
        return exception != null ? exception.getString("description", details.getString("text", "?"))
                : details.getString("text", "?");
    }

    String targetId() {
        return targetId;
    }

    String sessionId() {
        return sessionId;
    }

    /** The address without its fragment, for messages (a test's fragment may hold a token). */
    static String withoutFragment(URI url) {
        String text = url.toString();
        int hash = text.indexOf('#');
        return hash < 0 ? text : text.substring(0, hash);
    }

    @Override
    public String toString() {
        return "ChromiumPage[" + targetId + (closed ? ", closed" : "") + "]";
    }
}
