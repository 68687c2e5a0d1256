package ai.alo.audio.server;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Internal, not for use by applications: the Tyrus endpoint of one WebSocket session of an {@link AloAudioServer}.
 *
 * <p>Public only because Tyrus 2.1.6 invokes {@code onOpen/onClose/onError} reflectively through the endpoint's own
 * class ({@code clazz.getMethod(..)}), which fails with {@code IllegalAccessException} for a package-private class.
 * It cannot be constructed outside this package; the server creates a new instance per session. Tyrus calls it on
 * Grizzly worker threads, one message of a session at a time, and calls {@code onOpen} on the thread that handles the
 * upgrade request.
 */
public final class SessionEndpoint extends Endpoint {

    /** User property holding the handshake's {@code Authorization} header (removed once read). */
    static final String AUTHORIZATION = "ai.alo.audio.server.authorization";
    /**
     * User property holding the subprotocols the handshake offered ({@code List<String>}, removed once read): a
     * browser's token travels there as {@code bearer.<token>}.
     */
    static final String SUBPROTOCOLS = "ai.alo.audio.server.subprotocols";
    /** User property holding the relay connection number ({@link Long}). */
    static final String RELAY_ID = "ai.alo.audio.server.relayId";
    /** User property holding the {@link ClientConnection#id} ({@link Long}). */
    static final String CONNECTION_ID = "ai.alo.audio.server.connectionId";

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    private final SessionService service;
    private final ConnectionGate gate;
    private volatile ClientSession session;

    SessionEndpoint(SessionService service, ConnectionGate gate) {
        this.service = service;
        this.gate = gate;
    }

    @Override
    public void onOpen(Session ws, EndpointConfig config) {
        Map<String, Object> properties = config.getUserProperties();
        // The token must not outlive the check: drop it from both property maps.
        String authorization = properties.remove(AUTHORIZATION) instanceof String text ? text : null;
        List<String> subprotocols = subprotocols(properties.remove(SUBPROTOCOLS));
        ws.getUserProperties().remove(AUTHORIZATION);
        ws.getUserProperties().remove(SUBPROTOCOLS);
        long relayId = properties.get(RELAY_ID) instanceof Long id ? id : -1L;
        ClientConnection connection = properties.get(CONNECTION_ID) instanceof Long id ? gate.find(id) : null;
        ClientSession cs = service.create(ws, relayId, connection);
        session = cs;
        if (connection != null) {
            connection.attach(cs);
        }
        ws.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> service.text(cs, text));
        ws.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> service.binary(cs));
        service.opened(cs, authorization, subprotocols);
    }

    private static List<String> subprotocols(Object value) {
        List<String> names = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Override
    public void onClose(Session ws, CloseReason closeReason) {
        ClientSession cs = session;
        if (cs != null) {
            service.closed(cs, closeReason.getCloseCode().getCode(), closeReason.getReasonPhrase());
        }
    }

    @Override
    public void onError(Session ws, Throwable error) {
        ClientSession cs = session;
        LOG.log(Level.DEBUG, () -> "WebSocket error on " + cs + ": " + error);
    }

    /**
     * Binds endpoints to one server and captures the handshake's {@code Authorization} header, its offered
     * subprotocols, the connection id the {@link ConnectionGate} set and (behind the relay) the relay's connection
     * number into the per-handshake user properties. Tyrus copies those per handshake, so concurrent handshakes do not
     * see each other's values. Answers the subprotocol {@value TokenVerifier#SUBPROTOCOL} when the client offered it,
     * and never any other: a browser's {@code bearer.<token>} entry is read, never echoed.
     */
    static final class Configurator extends ServerEndpointConfig.Configurator {

        private final SessionService service;
        private final ConnectionGate gate;
        private final boolean behindRelay;

        Configurator(SessionService service, ConnectionGate gate, boolean behindRelay) {
            this.service = service;
            this.gate = gate;
            this.behindRelay = behindRelay;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
            if (!endpointClass.isAssignableFrom(SessionEndpoint.class)) {
                throw new InstantiationException("Unexpected endpoint class " + endpointClass.getName());
            }
            return endpointClass.cast(new SessionEndpoint(service, gate));
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                                    HandshakeResponse response) {
            Map<String, Object> properties = config.getUserProperties();
            String authorization = header(request, "Authorization");
            if (authorization != null) {
                properties.put(AUTHORIZATION, authorization);
            } else {
                properties.remove(AUTHORIZATION);
            }
            List<String> offered = offeredSubprotocols(request);
            if (offered.isEmpty()) {
                properties.remove(SUBPROTOCOLS);
            } else {
                properties.put(SUBPROTOCOLS, offered);
            }
            putLong(properties, CONNECTION_ID, header(request, ConnectionGate.CONNECTION_ID_HEADER));
            properties.remove(RELAY_ID);
            if (behindRelay) {
                putLong(properties, RELAY_ID, header(request, FaultRelay.RELAY_HEADER));
            }
        }

        /**
         * {@value TokenVerifier#SUBPROTOCOL} when the client offered it, else none: the answer never names anything
         * else the client offered, so a {@code bearer.<token>} entry is never echoed.
         */
        @Override
        public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
            if (requested != null) {
                for (String name : requested) {
                    if (name != null && TokenVerifier.SUBPROTOCOL.equals(name.strip())) {
                        return TokenVerifier.SUBPROTOCOL;
                    }
                }
            }
            return "";
        }

        /** Every offered subprotocol, from every {@code Sec-WebSocket-Protocol} header line, split at commas. */
        private static List<String> offeredSubprotocols(HandshakeRequest request) {
            List<String> offered = new ArrayList<>();
            for (Map.Entry<String, List<String>> entry : request.getHeaders().entrySet()) {
                if (HandshakeRequest.SEC_WEBSOCKET_PROTOCOL.equalsIgnoreCase(entry.getKey())
                        && entry.getValue() != null) {
                    for (String line : entry.getValue()) {
                        for (String name : line == null ? new String[0] : line.split(",")) {
                            if (!name.isBlank()) {
                                offered.add(name.strip());
                            }
                        }
                    }
                }
            }
            return offered;
        }

        private static void putLong(Map<String, Object> properties, String key, String value) {
            properties.remove(key);
            if (value != null) {
                try {
                    properties.put(key, Long.parseLong(value.strip()));
                } catch (NumberFormatException e) {
                    LOG.log(Level.DEBUG, () -> "Ignored a malformed " + key + " header");
                }
            }
        }

        private static String header(HandshakeRequest request, String name) {
            for (Map.Entry<String, List<String>> entry : request.getHeaders().entrySet()) {
                if (name.equalsIgnoreCase(entry.getKey()) && entry.getValue() != null
                        && !entry.getValue().isEmpty()) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }
    }
}
