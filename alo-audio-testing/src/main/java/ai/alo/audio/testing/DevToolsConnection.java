package ai.alo.audio.testing;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One WebSocket to Chromium's DevTools endpoint, speaking the Chrome DevTools Protocol: calls with ids matched to
 * their responses, and events handed to one listener. Page sessions are "flattened" (their messages carry a
 * {@code sessionId} on this same socket).
 *
 * <p>Threads: the JDK's WebSocket delivers messages on the shared {@link #HTTP} client's executor (daemon threads
 * named {@code alo-devtools-N}); the event listener runs there and must not block. {@link #call} may be called from
 * any thread and blocks until the response, at most its timeout. Sends are serialized (the JDK WebSocket allows one
 * outstanding send). {@link #close()} aborts the socket and fails every call in flight.
 */
final class DevToolsConnection implements WebSocket.Listener, AutoCloseable {

    private static final JsonProvider JSON = JsonProvider.provider();

    /**
     * One client for every connection of the JVM: on Java 17 an {@code HttpClient} cannot be closed and keeps a
     * selector thread until it is collected, so one shared client keeps that to one thread.
     */
    private static final HttpClient HTTP;

    static {
        AtomicInteger count = new AtomicInteger();
        ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "alo-devtools-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        HTTP = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final StringBuilder partial = new StringBuilder();
    private final Object sendLock = new Object();
    private final BiConsumer<String, JsonObject> events;
    private volatile WebSocket socket;
    private volatile String closedBecause;

    private DevToolsConnection(BiConsumer<String, JsonObject> events) {
        this.events = events;
    }

    /**
     * Opens the DevTools WebSocket.
     *
     * @param uri     {@code ws://127.0.0.1:<port>/devtools/browser/<id>}
     * @param timeout how long to wait for the connection
     * @param events  called with (sessionId or null, message) for every event; on a WebSocket thread
     * @return the open connection
     * @throws ChromiumException if it cannot be opened in time
     */
    static DevToolsConnection open(URI uri, Duration timeout, BiConsumer<String, JsonObject> events) {
        DevToolsConnection connection = new DevToolsConnection(events);
        try {
            connection.socket = HTTP.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, connection)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return connection;
        } catch (ExecutionException e) {
            throw new ChromiumException("Cannot open the DevTools connection at " + uri + ": " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new ChromiumException("The DevTools connection at " + uri + " did not open within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChromiumException("Interrupted while opening the DevTools connection", e);
        }
    }

    /**
     * Calls a DevTools method and waits for its result.
     *
     * @param sessionId the page session, or null for the browser
     * @param method    such as {@code Runtime.evaluate}
     * @param params    the parameters, or null for none
     * @param timeout   how long to wait for the response
     * @return the {@code result} object
     * @throws ChromiumException on an error response, a timeout or a closed connection
     */
    JsonObject call(String sessionId, String method, JsonObject params, Duration timeout) {
        long id = ids.incrementAndGet();
        JsonObjectBuilder message = JSON.createObjectBuilder().add("id", id).add("method", method)
                .add("params", params == null ? JsonValue.EMPTY_JSON_OBJECT : params);
        if (sessionId != null) {
            message.add("sessionId", sessionId);
        }
        CompletableFuture<JsonObject> response = new CompletableFuture<>();
        pending.put(id, response);
        try {
            String why = closedBecause;
            if (why != null) {
                throw new ChromiumException("DevTools call " + method + " on a closed connection (" + why + ")");
            }
            synchronized (sendLock) {
                socket.sendText(message.build().toString(), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            JsonObject answer = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonObject error = answer.getJsonObject("error");
            if (error != null) {
                throw new ChromiumException("DevTools call " + method + " failed: " + error.getString("message", "")
                        + (error.containsKey("data") ? " (" + error.get("data") + ")" : ""));
            }
            JsonObject result = answer.getJsonObject("result");
            return result == null ? JsonValue.EMPTY_JSON_OBJECT : result;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ChromiumException chromium) {
                throw new ChromiumException(chromium.getMessage(), chromium);
            }
            throw new ChromiumException("DevTools call " + method + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new ChromiumException("DevTools call " + method + " got no answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChromiumException("Interrupted during DevTools call " + method, e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            dispatch(text);
        }
        webSocket.request(1);
        return null;
    }

    private void dispatch(String text) {
        JsonObject message;
        try (JsonReader reader = JSON.createReader(new StringReader(text))) {
            message = reader.readObject();
        } catch (RuntimeException e) {
            return;
        }
        JsonValue id = message.get("id");
        if (id != null && id.getValueType() == JsonValue.ValueType.NUMBER) {
            CompletableFuture<JsonObject> response = pending.get(message.getJsonNumber("id").longValue());
            if (response != null) {
                response.complete(message);
            }
            return;
        }
        if (message.containsKey("method")) {
            try {
                events.accept(message.getString("sessionId", null), message);
            } catch (RuntimeException e) {
                // a listener's failure must not stop the connection
            }
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        failAll("closed by Chromium: " + statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        failAll("failed: " + error);
    }

    private void failAll(String why) {
        closedBecause = why;
        for (CompletableFuture<JsonObject> response : pending.values()) {
            response.completeExceptionally(new ChromiumException("The DevTools connection " + why));
        }
    }

    /** Whether the connection is still usable. */
    boolean isOpen() {
        WebSocket current = socket;
        return closedBecause == null && current != null && !current.isInputClosed();
    }

    @Override
    public void close() {
        failAll("was closed");
        WebSocket current = socket;
        if (current != null) {
            current.abort();
        }
    }

    /** A JSON object builder of the shared provider. */
    static JsonObjectBuilder object() {
        return JSON.createObjectBuilder();
    }
}
