package ai.alo.audio.impl.ws;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * Makes {@link SignallingConnection}s with the Tyrus WebSocket client and its Grizzly container.
 */
public final class TyrusTransport {

    /** Creates the transport. Holds nothing: every connection owns its own Tyrus client. */
    public TyrusTransport() {
    }

    /**
     * Whether Tyrus and its Grizzly client container can be loaded.
     *
     * @param loader the class loader to check with
     * @return {@code true} when both are present
     */
    public static boolean isAvailable(ClassLoader loader) {
        try {
            Class.forName("org.glassfish.tyrus.client.ClientManager", false, loader);
            Class.forName("org.glassfish.tyrus.container.grizzly.client.GrizzlyClientContainer", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Creates a connection; nothing is opened and no thread is started until {@link SignallingConnection#open()}.
     *
     * @param uri            the server URI
     * @param token          the user auth token
     * @param maxMessageSize the largest incoming message in bytes
     * @param connectTimeout the bound on opening the socket and on the handshake
     * @param threads        the factory for every thread of the connection
     * @param handler        receives the connection's events
     * @return the connection
     */
    public SignallingConnection newConnection(URI uri, String token, int maxMessageSize, Duration connectTimeout,
                                              ThreadFactory threads, SignallingHandler handler) {
        return new TyrusConnection(uri, token, maxMessageSize, connectTimeout, threads, handler);
    }
}
