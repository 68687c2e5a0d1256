package ai.alo.audio.impl.ws;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Extension;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.glassfish.tyrus.core.ExecutorServiceProvider;

/**
 * The container the runtime's Tyrus sessions see, so that the executors a session uses are the runtime's (its timer
 * and its event threads) instead of a pool of up to ten threads per {@code ClientManager}. Only the session-facing
 * methods are used; connecting goes through the {@code ClientManager}.
 */
final class SessionContainer extends ExecutorServiceProvider implements WebSocketContainer {

    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private volatile long asyncSendTimeout;
    private volatile long maxSessionIdleTimeout;
    private volatile int maxBinaryMessageBufferSize = Integer.MAX_VALUE;
    private volatile int maxTextMessageBufferSize = Integer.MAX_VALUE;

    SessionContainer(ExecutorService executor, ScheduledExecutorService scheduler) {
        this.executor = executor;
        this.scheduler = new SessionScheduler(scheduler);
    }

    @Override
    public ExecutorService getExecutorService() {
        return executor;
    }

    @Override
    public ScheduledExecutorService getScheduledExecutorService() {
        return scheduler;
    }

    @Override
    public long getDefaultAsyncSendTimeout() {
        return asyncSendTimeout;
    }

    @Override
    public void setAsyncSendTimeout(long timeoutMillis) {
        this.asyncSendTimeout = timeoutMillis;
    }

    @Override
    public long getDefaultMaxSessionIdleTimeout() {
        return maxSessionIdleTimeout;
    }

    @Override
    public void setDefaultMaxSessionIdleTimeout(long timeout) {
        this.maxSessionIdleTimeout = timeout;
    }

    @Override
    public int getDefaultMaxBinaryMessageBufferSize() {
        return maxBinaryMessageBufferSize;
    }

    @Override
    public void setDefaultMaxBinaryMessageBufferSize(int max) {
        this.maxBinaryMessageBufferSize = max;
    }

    @Override
    public int getDefaultMaxTextMessageBufferSize() {
        return maxTextMessageBufferSize;
    }

    @Override
    public void setDefaultMaxTextMessageBufferSize(int max) {
        this.maxTextMessageBufferSize = max;
    }

    @Override
    public Set<Extension> getInstalledExtensions() {
        return Set.of();
    }

    @Override
    public Session connectToServer(Object annotatedEndpointInstance, URI path) {
        throw notHere();
    }

    @Override
    public Session connectToServer(Class<?> annotatedEndpointClass, URI path) {
        throw notHere();
    }

    @Override
    public Session connectToServer(Endpoint endpointInstance, ClientEndpointConfig config, URI path) {
        throw notHere();
    }

    @Override
    public Session connectToServer(Class<? extends Endpoint> endpointClass, ClientEndpointConfig config, URI path) {
        throw notHere();
    }

    private static UnsupportedOperationException notHere() {
        return new UnsupportedOperationException("connect through the ClientManager");
    }
}
