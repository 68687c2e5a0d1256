package ai.alo.audio.impl.ws;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * What one WebSocket connect needs.
 *
 * @param uri            the server's {@code ws://} or {@code wss://} URI
 * @param token          the user auth token, sent only in the {@code Authorization} header
 * @param maxMessageSize the largest incoming message, in bytes; a larger one closes the connection (1009)
 * @param sslContext     the TLS context for {@code wss://}, or null for the JVM's default
 * @param closeLinger    how long a closing connection waits for the peer to close its side before closing anyway
 * @param name           the owner's name, for log lines
 */
public record ConnectSpec(URI uri, String token, int maxMessageSize, SSLContext sslContext, Duration closeLinger,
                          String name) {

    /** Checks the components. */
    public ConnectSpec {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(closeLinger, "closeLinger");
        Objects.requireNonNull(name, "name");
    }

    /** The token is left out. */
    @Override
    public String toString() {
        return "ConnectSpec[uri=" + uri + ", maxMessageSize=" + maxMessageSize + ", closeLinger=" + closeLinger
                + ", name=" + name + "]";
    }
}
