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
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientProperties;

/**
 * The bare Tyrus twin: a plain Tyrus client configured as {@code tyrus-scale-notes.md} recommends for many
 * connections, ONE {@link ClientManager} for the whole run with {@code SHARED_CONTAINER=true} (one Grizzly transport
 * for every session), fixed pools (worker 3, selector config 2; Grizzly runs cores + 1 selector runners) and a 10 s
 * handshake timeout. It speaks just enough of protocol version 2 as raw JSON strings for the server to hold it as a
 * joined participant: {@code Authorization: Bearer}, {@code hello}/{@code welcome}, {@code join}/{@code joined} and the
 * roster pages, {@code ping}.
 *
 * <p>An anchor session stays open for the whole run (joined, pinging once a second like our clients), so that the
 * shared transport and the manager's executors stay up between iterations, as they would in an application with many
 * connections; the measured sessions come and go beside it. Our side has the same: an anchor client on its runtime.
 */
final class BareTyrusTwin implements AutoCloseable {

    static final long SETUP_TIMEOUT_SECONDS = 10;

    private final ClientManager manager;
    private final URI uri;
    private final ScheduledExecutorService pinger;
    private final Conversation anchor;
    private final AtomicLong seq = new AtomicLong();

    BareTyrusTwin(URI uri, String anchorUser, String anchorToken, String anchorChannel) throws IOException {
        this.uri = uri;
        this.manager = ClientManager.createClient();
        Map<String, Object> p = manager.getProperties();
        p.put(ClientProperties.SHARED_CONTAINER, true);
        p.put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, 5);
        p.put(ClientProperties.HANDSHAKE_TIMEOUT, 10_000);
        p.put(ClientProperties.WORKER_THREAD_POOL_CONFIG, org.glassfish.tyrus.client.ThreadPoolConfig.defaultConfig()
                .setMaxPoolSize(3).setCorePoolSize(3).setPoolName("ws-worker"));
        p.put(GrizzlyClientProperties.SELECTOR_THREAD_POOL_CONFIG,
                org.glassfish.grizzly.threadpool.ThreadPoolConfig.defaultConfig().setCorePoolSize(2)
                        .setMaxPoolSize(2).setPoolName("ws-selector"));
        this.pinger = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "bench-bare-anchor-pinger");
            t.setDaemon(true);
            return t;
        });
        this.anchor = connect(anchorUser, anchorToken, anchorChannel);
        pinger.scheduleAtFixedRate(() -> anchor.send("{\"type\":\"ping\",\"seq\":" + seq.incrementAndGet() + "}"),
                1, 1, TimeUnit.SECONDS);
    }

    /**
     * Opens a session on the shared manager and joins a channel; returns when the last roster page arrived.
     *
     * @throws IOException if the server refuses or does not answer in time
     */
    Conversation connect(String userId, String token, String channelId) throws IOException {
        Conversation c = new Conversation();
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.put("Authorization", List.of("Bearer " + token));
                    }
                })
                .build();
        try {
            c.session = manager.connectToServer(c.endpoint, config, uri);
        } catch (DeploymentException e) {
            throw new IOException("bare Tyrus connect failed: " + e.getMessage(), e);
        }
        c.session.getBasicRemote().sendText("{\"type\":\"hello\",\"capabilities\":[],\"client\":\"bare-tyrus\","
                + "\"heartbeat\":{\"intervalMs\":1000,\"timeoutMs\":2500},\"minProtocol\":2,\"protocol\":2,"
                + "\"ttsEnabled\":false,\"user\":{\"deviceId\":\"\",\"id\":\"" + userId + "\",\"name\":\"Bare\"}}");
        c.await("\"type\":\"welcome\"", null);
        c.session.getBasicRemote().sendText("{\"type\":\"join\",\"channel\":{\"fullDuplex\":false,\"id\":\""
                + channelId + "\",\"name\":\"" + channelId + "\"},\"requestId\":\"1\"}");
        c.await("\"type\":\"joined\"", null);
        c.await("\"type\":\"roster\"", "\"last\":true");
        return c;
    }

    /**
     * One protocol round trip through the server on the anchor session: {@code ping} sent to {@code pong} received.
     *
     * @return nanoseconds
     */
    long anchorRoundTrip() throws IOException {
        long n = seq.incrementAndGet();
        anchor.messages.clear();
        long start = System.nanoTime();
        anchor.send("{\"type\":\"ping\",\"seq\":" + n + "}");
        anchor.await("\"seq\":" + n, "\"type\":\"pong\"");
        return System.nanoTime() - start;
    }

    @Override
    public void close() {
        pinger.shutdownNow();
        anchor.closeQuietly();
        manager.shutdown();
    }

    /** One session of the twin. */
    static final class Conversation {

        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile long closedAt;
        volatile int closeCode;
        Session session;

        final Endpoint endpoint = new Endpoint() {
            @Override
            public void onOpen(Session opened, EndpointConfig config) {
                opened.addMessageHandler(String.class, (MessageHandler.Whole<String>) messages::add);
            }

            @Override
            public void onClose(Session s, CloseReason reason) {
                closedAt = System.nanoTime();
                closeCode = reason.getCloseCode().getCode();
                closed.countDown();
            }

            @Override
            public void onError(Session s, Throwable error) {
                // a close follows
            }
        };

        void send(String text) {
            try {
                session.getAsyncRemote().sendText(text, result -> { });
            } catch (RuntimeException e) {
                // closed
            }
        }

        void await(String marker, String alsoContains) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETUP_TIMEOUT_SECONDS);
            while (true) {
                String message;
                try {
                    message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + marker, e);
                }
                if (message == null) {
                    throw new IOException("no " + marker + " from the server within " + SETUP_TIMEOUT_SECONDS + " s"
                            + (closed.getCount() == 0 ? " (closed with " + closeCode + ")" : ""));
                }
                if (message.contains(marker) && (alsoContains == null || message.contains(alsoContains))) {
                    return;
                }
            }
        }

        long awaitClose(long timeout, TimeUnit unit) throws InterruptedException {
            if (!closed.await(timeout, unit)) {
                throw new IllegalStateException("bare Tyrus endpoint saw no onClose within " + timeout + " " + unit);
            }
            return closedAt;
        }

        void closeQuietly() {
            try {
                if (session != null && session.isOpen()) {
                    session.close();
                }
            } catch (IOException | RuntimeException e) {
                // already closing
            }
        }
    }
}
