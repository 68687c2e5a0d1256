package ai.alo.audio.testkit;

import java.net.URI;
import java.util.Objects;

/**
 * Where a test's clients connect: the reference service's WebSocket URI through the kit's {@link FaultProxy}, and the
 * same service without the proxy. Inject it (or a plain {@link URI}, which is {@link #uri()}) into a test method or
 * constructor of a class that uses {@link AloAudioTestKit}.
 *
 * @param uri    the service's URI through the proxy, such as {@code ws://127.0.0.1:41235/audio}: connect clients
 *               here, so that the proxy's faults reach them
 * @param direct the service's own URI, bypassing the proxy
 * @since 0.1
 */
public record ServiceUri(URI uri, URI direct) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     */
    public ServiceUri {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(direct, "direct");
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
