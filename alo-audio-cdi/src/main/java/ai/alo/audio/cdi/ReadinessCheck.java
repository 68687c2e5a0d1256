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
 * <p>Ready ({@code UP}) while every client is connected or was never asked to connect; not ready ({@code DOWN}) while
 * a client is connecting, disconnecting, or after its connection was lost or failed ({@code ERROR}), or after it was
 * disconnected and not connected again. The data names, per client, its state, its channel and the message of its last
 * {@code DisconnectEvent}: {@code <name>.state}, {@code <name>.channel}, {@code <name>.lastDisconnectMessage}.
 *
 * <p>An ordinary bean of this jar's bean archive: found by bean discovery, which is how the servers' MicroProfile
 * Health integrations collect checks. Where the MicroProfile Health API is missing, the class cannot be loaded and
 * bean discovery skips it (Weld logs {@code WELD-000119} at INFO), so the module works without it. With Weld SE's
 * {@code disableDiscovery()}, add this class to the container to get the check. Public because the container
 * instantiates it; internal otherwise.
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

    @Override
    public HealthCheckResponse call() {
        // The public constructor, not HealthCheckResponse.named(...): that needs the server's response-builder SPI.
        Map<String, Object> data = new LinkedHashMap<>();
        boolean ready = true;
        for (ClientRegistry.ClientStatus status : registry.statuses()) {
            ready &= status.state() == ConnectionState.CONNECTED || status.state() == ConnectionState.NOT_CONNECTED;
            data.put(status.name() + ".state", status.state().name());
            if (status.channelId() != null) {
                data.put(status.name() + ".channel", status.channelId());
            }
            if (status.lastDisconnectMessage() != null) {
                data.put(status.name() + ".lastDisconnectMessage", status.lastDisconnectMessage());
            }
        }
        return new HealthCheckResponse(NAME, ready ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                data.isEmpty() ? Optional.empty() : Optional.of(data));
    }
}
