package ai.alo.audio.testkit;

import ai.alo.audio.server.AloAudioServer;
import java.lang.System.Logger.Level;

/**
 * One running service and the proxy in front of it, owned by one extension context. {@link #close()} closes the proxy,
 * then stops the service; idempotent. Thread-safe.
 */
final class TestKitEnvironment implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TestKitEnvironment.class.getPackageName());

    private final AloAudioServer server;
    private final FaultProxy proxy;
    private final ServiceUri serviceUri;
    private final TestUsers users;
    private final Object lock = new Object();
    private boolean closed; // guarded by lock

    private TestKitEnvironment(AloAudioServer server, FaultProxy proxy, AloAudioTestKit.Settings settings) {
        this.server = server;
        this.proxy = proxy;
        this.serviceUri = new ServiceUri(proxy.uri(server.uri()), server.uri());
        this.users = new TestUsers(server.tokens(), serviceUri.uri(), server.mediaStatus().enabled(),
                settings.tokenLifetime());
    }

    /** Starts a service and a proxy in front of it; on failure, releases whatever started. */
    static TestKitEnvironment start(AloAudioTestKit.Settings settings) {
        AloAudioServer server = null;
        FaultProxy proxy = null;
        try {
            AloAudioServer.Builder builder = AloAudioServer.builder().media(settings.media());
            settings.server().accept(builder);
            server = builder.build().start();
            proxy = FaultProxy.start(server.uri());
            TestKitEnvironment environment = new TestKitEnvironment(server, proxy, settings);
            LOG.log(Level.DEBUG, () -> "Test kit: service " + environment.serviceUri.direct() + " behind proxy "
                    + environment.serviceUri.uri());
            return environment;
        } catch (RuntimeException | Error e) {
            if (proxy != null) {
                proxy.close();
            }
            if (server != null) {
                server.kill();
            }
            throw e;
        }
    }

    AloAudioServer server() {
        return server;
    }

    FaultProxy proxy() {
        return proxy;
    }

    ServiceUri serviceUri() {
        return serviceUri;
    }

    TestUsers users() {
        return users;
    }

    /**
     * Closes the proxy (every connection through it ends, so the service does not wait for their close handshakes),
     * then stops the service; returns after their threads ended.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            proxy.close();
        } finally {
            server.stop();
        }
    }
}
