package ai.alo.audio.impl.ws;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientContainer;
import org.glassfish.tyrus.spi.ClientContainer;
import org.glassfish.tyrus.spi.ClientEngine;
import org.glassfish.tyrus.spi.Connection;
import org.glassfish.tyrus.spi.UpgradeRequest;
import org.glassfish.tyrus.spi.UpgradeResponse;
import org.glassfish.tyrus.spi.Writer;

/**
 * Tyrus's Grizzly client container, with a way to abort a connect that is still in its handshake.
 *
 * <p>Tyrus's synchronous connect waits for the handshake response on the calling thread; interrupting that thread
 * ends the wait but leaves the connection's private Grizzly transport (its socket, selector and threads) open until
 * the server answers or closes. The container gives every connection a handshake timeout handler that closes that
 * transport; this wrapper hands it to the caller (through {@link #HANDSHAKE_ABORT}, set on the connecting thread), so
 * a cancelled connect can close its transport at once.
 *
 * <p>Instantiated by Tyrus's {@code ClientManager.createClient(String)}; public for that reason only.
 */
public final class CancellableClientContainer implements ClientContainer {

    /** Set on the connecting thread around {@code connectToServer}: receives the handshake abort handler. */
    static final ThreadLocal<Consumer<ClientEngine.TimeoutHandler>> HANDSHAKE_ABORT = new ThreadLocal<>();

    private final GrizzlyClientContainer delegate = new GrizzlyClientContainer();

    /** Called reflectively by Tyrus. */
    public CancellableClientContainer() {
    }

    @Override
    public void openClientSocket(ClientEndpointConfig config, Map<String, Object> properties, ClientEngine engine)
            throws DeploymentException, IOException {
        Consumer<ClientEngine.TimeoutHandler> sink = HANDSHAKE_ABORT.get();
        delegate.openClientSocket(config, properties, sink == null ? engine : new ClientEngine() {
            @Override
            public UpgradeRequest createUpgradeRequest(TimeoutHandler timeoutHandler) {
                if (timeoutHandler != null) {
                    sink.accept(timeoutHandler);
                }
                return engine.createUpgradeRequest(timeoutHandler);
            }

            @Override
            public ClientUpgradeInfo processResponse(UpgradeResponse response, Writer writer,
                                                     Connection.CloseListener closeListener) {
                return engine.processResponse(response, writer, closeListener);
            }

            @Override
            public void processError(Throwable error) {
                engine.processError(error);
            }
        });
    }
}
