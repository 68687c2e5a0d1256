package ai.alo.audio.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import org.eclipse.microprofile.health.Readiness;

/**
 * Registers {@link ReadinessCheck}. The only class besides the check that references the MicroProfile Health API; it
 * is loaded only after {@link AloAudioExtension} found that API on the class path (so linking it never fails).
 * Internal.
 */
final class HealthSupport {

    private HealthSupport() {
    }

    /**
     * Adds the readiness check as an {@code @ApplicationScoped @Readiness} bean.
     *
     * @param discovery the container event
     * @param id        the annotated type's id
     */
    static void register(BeforeBeanDiscovery discovery, String id) {
        discovery.addAnnotatedType(ReadinessCheck.class, id)
                .add(ApplicationScoped.Literal.INSTANCE)
                .add(Readiness.Literal.INSTANCE);
    }
}
