package ai.alo.audio.benchmarks;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientProperties;

/**
 * The bare Tyrus twin: one connection on its own {@link ClientManager} (the default Grizzly client container), whose
 * Grizzly transport takes its selector and worker threads from a {@link TrackingThreadFactory} with the same pool
 * settings as the client's {@code TyrusConnection}. It speaks just enough of the protocol for the server to hold it as
 * a joined participant: {@code Authorization: Bearer} header, {@code hello}, {@code welcome}, {@code join},
 * {@code joined}, as raw JSON strings. Single use: connect, then one of the measured ends, then {@link #release}.
 */
final class BareTyrusClient {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final long SETUP_TIMEOUT_SECONDS = 10;

    /** What the bare disconnect cost, as {@link System#nanoTime()} stamps. */
    record DisconnectTimes(long start, long leaveQueued, long closeReturned, long shutdownReturned,
                           long threadsEnded, long onClose) {
    }

    private final TrackingThreadFactory threads;
    private final ClientManager manager;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile long closedAtNanos;
    private volatile int closeCode;
    private Session session;

    BareTyrusClient() {
        this.threads = new TrackingThreadFactory("bare-tyrus-" + COUNTER.incrementAndGet());
        this.manager = ClientManager.createClient();
        Map<String, Object> properties = manager.getProperties();
        properties.put(ClientProperties.HANDSHAKE_TIMEOUT, (int) TimeUnit.SECONDS.toMillis(SETUP_TIMEOUT_SECONDS));
        properties.put(GrizzlyClientProperties.WORKER_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
                .setPoolName("bare-io").setCorePoolSize(1).setMaxPoolSize(1).setDaemon(true)
                .setThreadFactory(threads));
        properties.put(GrizzlyClientProperties.SELECTOR_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
                .setPoolName("bare-selector").setCorePoolSize(1).setMaxPoolSize(1).setDaemon(true)
                .setThreadFactory(threads));
    }

    /**
     * Opens the WebSocket and joins the channel; returns when {@code joined} arrived.
     *
     * @param uri       the server
     * @param token     the user's token
     * @param userId    the user id (must match the token)
     * @param channelId the channel
     * @throws IOException if the server refuses or does not answer in time
     */
    void connect(URI uri, String token, String userId, String channelId) throws IOException {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.put("Authorization", List.of("Bearer " + token));
                    }
                })
                .build();
        try {
            session = manager.connectToServer(new BareEndpoint(), config, uri);
        } catch (DeploymentException e) {
            throw new IOException("bare Tyrus connect failed: " + e.getMessage(), e);
        }
        session.getBasicRemote().sendText("{\"type\":\"hello\",\"client\":\"bare-tyrus\",\"heartbeat\":"
                + "{\"intervalMs\":1000,\"timeoutMs\":2500},\"protocol\":1,\"ttsEnabled\":false,\"user\":"
                + "{\"deviceId\":\"\",\"id\":\"" + userId + "\",\"name\":\"Bare\"}}");
        await("welcome");
        session.getBasicRemote().sendText("{\"type\":\"join\",\"channel\":{\"fullDuplex\":false,\"id\":\""
                + channelId + "\",\"name\":\"" + channelId + "\"}}");
        await("joined");
    }

    private void await(String type) throws IOException {
        String marker = "\"type\":\"" + type + "\"";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETUP_TIMEOUT_SECONDS);
        while (true) {
            String message;
            try {
                message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + type, e);
            }
            if (message == null) {
                throw new IOException("no '" + type + "' from the server within " + SETUP_TIMEOUT_SECONDS + " s"
                        + (closed.getCount() == 0 ? " (closed with " + closeCode + ")" : ""));
            }
            if (message.contains(marker)) {
                return;
            }
        }
    }

    /**
     * The same operation as {@code AloAudio.disconnect()}: queues the same {@code leave} frame, closes with 1000,
     * shuts the {@link ClientManager} down and waits until the transport's threads have ended. Every step is
     * stamped.
     *
     * @param channelId the joined channel
     * @return the stamps
     * @throws InterruptedException if interrupted while joining the threads
     * @throws IOException          if the close fails
     */
    DisconnectTimes disconnect(String channelId) throws InterruptedException, IOException {
        String leave = "{\"type\":\"leave\",\"channelId\":\"" + channelId + "\"}";
        long start = System.nanoTime();
        session.getAsyncRemote().sendText(leave, result -> { });
        long leaveQueued = System.nanoTime();
        session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "disconnect"));
        long closeReturned = System.nanoTime();
        manager.shutdown();
        long shutdownReturned = System.nanoTime();
        List<Thread> alive = threads.join(5, TimeUnit.SECONDS);
        long threadsEnded = System.nanoTime();
        if (!alive.isEmpty()) {
            throw new IllegalStateException("bare Tyrus transport threads still alive 5 s after close: " + alive);
        }
        if (closedAtNanos == 0) {
            throw new IllegalStateException("bare Tyrus endpoint did not see onClose after session.close()");
        }
        return new DisconnectTimes(start, leaveQueued, closeReturned, shutdownReturned, threadsEnded, closedAtNanos);
    }

    /**
     * Waits for {@code Endpoint.onClose} (after the server reset or was killed).
     *
     * @param timeout the bound
     * @param unit    its unit
     * @return the moment {@code onClose} was called
     * @throws InterruptedException if interrupted
     */
    long awaitClose(long timeout, TimeUnit unit) throws InterruptedException {
        if (!closed.await(timeout, unit)) {
            throw new IllegalStateException("bare Tyrus endpoint saw no onClose within " + timeout + " " + unit);
        }
        return closedAtNanos;
    }

    int closeCode() {
        return closeCode;
    }

    /** Releases whatever is left (untimed): closes, shuts the manager down, waits for the transport threads. */
    void release() {
        try {
            if (session != null && session.isOpen()) {
                session.close();
            }
        } catch (IOException | RuntimeException e) {
            // already closing
        }
        manager.shutdown();
        try {
            List<Thread> alive = threads.join(5, TimeUnit.SECONDS);
            if (!alive.isEmpty()) {
                throw new IllegalStateException("bare Tyrus transport threads still alive: " + alive);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many transport threads this connection had. */
    int threadCount() {
        return threads.created();
    }

    private final class BareEndpoint extends Endpoint {

        @Override
        public void onOpen(Session opened, EndpointConfig config) {
            opened.addMessageHandler(String.class, (MessageHandler.Whole<String>) messages::add);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closedAtNanos = System.nanoTime();
            closeCode = reason.getCloseCode().getCode();
            closed.countDown();
        }

        @Override
        public void onError(Session session, Throwable error) {
            // a close follows
        }
    }
}
