package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.impl.observe.OpenTelemetryMetrics;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger.Level;
import java.util.Set;

/**
 * Publishes a deployment's runtime metrics through OpenTelemetry (MicroProfile Telemetry 2.0) when the application has
 * it: the {@code io.opentelemetry.api.OpenTelemetry} bean the server's MicroProfile Telemetry provides, else a global
 * instance the application or the OpenTelemetry agent installed. Without the OpenTelemetry API nothing happens and
 * nothing of it is loaded. See {@code docs/observability.md}.
 *
 * <p>Internal. Thread-safe.
 */
final class MetricsPublisher {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");
    private static final String OPEN_TELEMETRY = "io.opentelemetry.api.OpenTelemetry";

    private MetricsPublisher() {
    }

    /**
     * Attaches the runtime's metrics to the deployment's OpenTelemetry, if any.
     *
     * @param beanManager the deployment's bean manager
     * @param runtime     the deployment's runtime
     * @return the handle to close when the runtime is closed; a no-op handle when nothing was attached
     */
    static AutoCloseable attach(BeanManager beanManager, AloAudioRuntime runtime) {
        try {
            if (!OpenTelemetryMetrics.isApiPresent()) {
                return () -> { };
            }
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName(OPEN_TELEMETRY, false,
                    loader != null ? loader : MetricsPublisher.class.getClassLoader());
            Set<Bean<?>> beans = beanManager.getBeans(type);
            if (beans.isEmpty()) {
                return OpenTelemetryMetrics.attachGlobalIfPresent(runtime);
            }
            Bean<?> bean = beanManager.resolve(beans);
            Object openTelemetry = beanManager.getReference(bean, type, beanManager.createCreationalContext(bean));
            OpenTelemetryMetrics.Handle handle = OpenTelemetryMetrics.attach(runtime, openTelemetry);
            LOG.log(Level.INFO, "ALOAUD-3011 AloAudio runtime {0} publishes its metrics through the application''s "
                    + "OpenTelemetry (meter {1})", runtime.config().name(), OpenTelemetryMetrics.SCOPE);
            return handle;
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            LOG.log(Level.WARNING, "ALOAUD-3012 AloAudio metrics are not published through OpenTelemetry: " + e);
            return () -> { };
        }
    }
}
