package ai.alo.audio.cdi;

import ai.alo.audio.ConnectionState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The MicroProfile Health readiness check of the application's ALO audio clients, named {@value #NAME}.
 *
 * <h2>Status</h2>
 * <p>It reports what an operator needs to act on: a client that is <em>meant to be connected</em> and is not. A client
 * is meant to be connected from the application's {@code connect()} until its {@code disconnect()} or {@code close()}.
 * So the check is {@code DOWN} while any client is
 * <ul>
 *   <li>connecting ({@code CONNECTING}, {@code ACQUIRING_ACCESS}), waiting to reconnect ({@code
 *       RECONNECT_PENDING}), or</li>
 *   <li>in {@code ERROR}: its connection failed or was lost, and the application has not called {@code disconnect()}
 *       since (that moves it to {@code DISCONNECTED});</li>
 * </ul>
 * and {@code UP} otherwise: no client, never asked to connect ({@code NOT_CONNECTED}), {@code CONNECTED}, or
 * disconnected on purpose ({@code DISCONNECTING}, {@code DISCONNECTED}; an intentional disconnect is not a fault).
 * The status follows from the client's current {@link ConnectionState} alone, read when the check is called. One
 * window is not covered: a {@code connect()} made while a {@code disconnect()} is still finishing counts once its
 * attempt starts ({@code CONNECTING}), at most the client's close grace later.
 *
 * <h2>Data</h2>
 * <p>Per client, only {@code <name>.state} (the {@link ConnectionState} name) and, once it has disconnected,
 * {@code <name>.lastDisconnectReason} (a {@link ai.alo.audio.DisconnectReason} name such as {@code CONNECTION_LOST}).
 * Health endpoints are often reachable without authentication, so the data never contains text from the audio service
 * (the {@code DisconnectEvent}'s message may quote it), the server URI, the user or the token; the log has the
 * details.
 *
 * <h2>Registration</h2>
 * <p>An ordinary bean of this jar's bean archive: found by bean discovery, which is how the servers' MicroProfile
 * Health integrations collect checks. Where the MicroProfile Health API is missing, the class cannot be loaded and
 * bean discovery skips it (Weld logs {@code WELD-000119} at INFO), so the module works without it. With Weld SE's
 * {@code disableDiscovery()}, add this class to the container to get the check. Public because the container
 * instantiates it; internal otherwise. Thread-safe.
 */
@ApplicationScoped
@Readiness
public class ReadinessCheck implements HealthCheck {

    /** The check's name in the health report. */
    static final String NAME = "alo-audio";

    private ClientRegistry registry;

    /** For the container. */
    public ReadinessCheck() {
    }

    /**
     * Called by the container.
     *
     * @param registry the application's clients
     */
    @Inject
    void setRegistry(ClientRegistry registry) {
        this.registry = registry;
    }

    /**
     * Reports the clients of the application; see the class description. Does not block.
     *
     * @return {@code UP} unless a client is meant to be connected and is not
     */
    @Override
    public HealthCheckResponse call() {
        // The public constructor, not HealthCheckResponse.named(...): that needs the server's response-builder SPI.
        Map<String, Object> data = new LinkedHashMap<>();
        boolean ready = true;
        for (ClientRegistry.ClientStatus status : registry.statuses()) {
            ready &= !meantToBeConnectedButIsNot(status.state());
            data.put(status.name() + ".state", status.state().name());
            if (status.lastDisconnectReason() != null) {
                data.put(status.name() + ".lastDisconnectReason", status.lastDisconnectReason().name());
            }
        }
        return new HealthCheckResponse(NAME, ready ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                data.isEmpty() ? Optional.empty() : Optional.of(data));
    }

    /**
     * Whether a client in this state was asked to connect, has not been disconnected on purpose since, and is not
     * connected. {@code ERROR} is reached only by a failed or lost connection and left by {@code connect()} ({@code
     * CONNECTING}), {@code disconnect()} ({@code DISCONNECTED}) or {@code close()} ({@code CLOSED}).
     *
     * @param state the client's state
     * @return {@code true} for {@code CONNECTING}, {@code ACQUIRING_ACCESS}, {@code RECONNECT_PENDING} and {@code
     *         ERROR}
     */
    static boolean meantToBeConnectedButIsNot(ConnectionState state) {
        return switch (state) {
            case CONNECTING, ACQUIRING_ACCESS, RECONNECT_PENDING, ERROR -> true;
            case NOT_CONNECTED, CONNECTED, DISCONNECTING, DISCONNECTED, CLOSED -> false;
            default -> false; // a state added to the API later; decide here when it exists
        };
    }
}
