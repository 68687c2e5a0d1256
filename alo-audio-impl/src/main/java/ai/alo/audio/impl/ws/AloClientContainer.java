package ai.alo.audio.impl.ws;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.util.Map;
import org.glassfish.tyrus.spi.ClientContainer;
import org.glassfish.tyrus.spi.ClientEngine;

/**
 * Tyrus's client container SPI, implemented on the runtime's shared socket I/O instead of a Grizzly transport per
 * connection: Tyrus keeps the WebSocket protocol (handshake, framing, sessions), this module keeps the sockets.
 *
 * <p>Tyrus instantiates it by class name (hence public, with a public constructor) and calls {@link
 * #openClientSocket} on the thread that called {@code connectToServer}; the connection it serves is found in the
 * endpoint configuration's user properties.
 */
public final class AloClientContainer implements ClientContainer {

    /** Called reflectively by Tyrus. */
    public AloClientContainer() {
    }

    @Override
    public void openClientSocket(ClientEndpointConfig config, Map<String, Object> properties, ClientEngine engine)
            throws DeploymentException, IOException {
        Object owner = config.getUserProperties().get(WebSocketConnection.USER_PROPERTY);
        if (!(owner instanceof WebSocketConnection connection)) {
            throw new DeploymentException("this container only serves the connections of an ALO audio runtime");
        }
        connection.open(engine);
    }
}
