package ai.alo.audio.cdi;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AloAudioException;
import ai.alo.audio.spi.AloAudioProvider;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import jakarta.enterprise.inject.spi.ProcessSyntheticAnnotatedType;
import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Set;

/**
 * The CDI portable extension of the ALO audio client; registered in {@code
 * META-INF/services/jakarta.enterprise.inject.spi.Extension}, so a CDI container loads it from the class path.
 *
 * <h2>What it adds</h2>
 * <ul>
 *   <li>The beans of this module, registered by the extension itself so that they exist whatever the application's
 *       bean-discovery mode ({@code all}, {@code annotated}, {@code none}) and also when bean discovery is off (Weld
 *       SE's {@code disableDiscovery()}). The copies of these classes that bean discovery finds in this jar are
 *       vetoed, so there is never an ambiguous bean:
 *       <ul>
 *         <li>the default client, {@code @Inject AloAudio} ({@code @ApplicationScoped}, {@code @Default}), named
 *             {@value AloAudioConfig#DEFAULT_NAME} and configured from the {@code alo.audio.*} keys;</li>
 *         <li>{@link AloAudioFactory}, for further clients;</li>
 *         <li>the bridge that fires every client event to {@code @Observes} / {@code @ObservesAsync} observers with
 *             the qualifier {@link AloClient @AloClient(name)};</li>
 *         <li>the internal registry that owns the deployment's {@link ai.alo.audio.AloAudioRuntime} (every client
 *             runs on it) and closes every client, then the runtime, at application shutdown;</li>
 *       </ul></li>
 *   <li>Nothing for MicroProfile Health: the readiness check {@link ReadinessCheck} is an ordinary bean of this jar,
 *       which is a bean archive ({@code META-INF/beans.xml}, mode {@code annotated}). WildFly's and Payara's
 *       MicroProfile Health integrations only collect checks that bean discovery finds (a check registered by an
 *       extension is a bean, but neither server reports it). Without the MicroProfile Health API the class cannot
 *       be loaded and bean discovery skips it.</li>
 *   <li>Deployment-time validation: if the application injects the default client ({@code @Inject AloAudio}), the
 *       default configuration is resolved after deployment validation, and a missing or invalid key is reported as a
 *       deployment problem ({@link AloAudioConfigException} naming the key), so a misconfigured application fails to
 *       deploy instead of failing at its first call; so is a missing implementation ({@code
 *       ai.alo:alo-audio-impl}), and so are ambiguous {@code UserAuthTokenProvider} or {@code ReconnectPolicy}
 *       beans. Lookups through {@code Instance<AloAudio>} are not validated early.</li>
 * </ul>
 *
 * <h2>Threads and state</h2>
 * <p>The container calls the observer methods during boot, one at a time. The only state is whether the default
 * client is injected, written during bean discovery and read after it.
 *
 * @since 0.1
 */
public class AloAudioExtension implements Extension {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");
    private static final List<Class<?>> BEAN_CLASSES =
            List.of(AloAudioProducer.class, ClientRegistry.class, AloAudioFactory.class);

    private volatile boolean defaultClientInjected;

    /** Called by {@link java.util.ServiceLoader} (or by an application that adds the extension itself). */
    public AloAudioExtension() {
    }

    /**
     * Adds this module's bean classes, whatever the application's bean-discovery mode.
     *
     * @param discovery   the container event
     * @param beanManager the bean manager, to create the annotated types
     */
    void registerBeans(@Observes BeforeBeanDiscovery discovery, BeanManager beanManager) {
        for (Class<?> beanClass : BEAN_CLASSES) {
            discovery.addAnnotatedType(beanManager.createAnnotatedType(beanClass), idOf(beanClass));
        }
    }

    /**
     * Vetoes a copy of {@link AloAudioFactory} found by bean discovery; the registered one stays.
     *
     * @param type the container event
     */
    void vetoScannedFactory(@Observes ProcessAnnotatedType<AloAudioFactory> type) {
        vetoIfScanned(type);
    }

    /**
     * Vetoes a copy of the producer found by bean discovery; the registered one stays.
     *
     * @param type the container event
     */
    void vetoScannedProducer(@Observes ProcessAnnotatedType<AloAudioProducer> type) {
        vetoIfScanned(type);
    }

    /**
     * Vetoes a copy of the registry found by bean discovery; the registered one stays.
     *
     * @param type the container event
     */
    void vetoScannedRegistry(@Observes ProcessAnnotatedType<ClientRegistry> type) {
        vetoIfScanned(type);
    }

    /**
     * Notes whether the application injects the default client ({@code AloAudio} with {@code @Default}, or with
     * {@code @Any} only).
     *
     * @param event the container event for an injection point of type {@code AloAudio}
     */
    void detectDefaultClient(@Observes ProcessInjectionPoint<?, AloAudio> event) {
        Set<Annotation> qualifiers = event.getInjectionPoint().getQualifiers();
        if (qualifiers.isEmpty() || qualifiers.stream().allMatch(q -> q.annotationType() == Default.class
                || q.annotationType() == Any.class)) {
            defaultClientInjected = true;
        }
    }

    /**
     * If the default client is injected, resolves its configuration and finds the provider; reports problems as
     * deployment problems.
     *
     * @param validation  the container event
     * @param beanManager the bean manager, to find the application's token provider and reconnect policy beans
     */
    void validateDefaultConfiguration(@Observes AfterDeploymentValidation validation, BeanManager beanManager) {
        if (!defaultClientInjected) {
            return;
        }
        try {
            String name = AloAudioConfig.DEFAULT_NAME;
            // with the application's beans (chosen, not instantiated): a token provider bean makes the token optional
            ConfigResolver.forApplication().resolve(name, ClientBeans.standIns(beanManager, name));
        } catch (AloAudioConfigException e) {
            validation.addDeploymentProblem(e);
        } catch (RuntimeException e) {
            validation.addDeploymentProblem(new AloAudioConfigException("Cannot read the configuration of the "
                    + "default AloAudio client: " + e, e));
        }
        try {
            AloAudioProvider.provider(); // looked up, not kept: the provider is found again for each client
        } catch (AloAudioException e) {
            validation.addDeploymentProblem(e);
        }
    }

    private static void vetoIfScanned(ProcessAnnotatedType<?> type) {
        if (!(type instanceof ProcessSyntheticAnnotatedType)) {
            LOG.log(Level.DEBUG, () -> "ignoring " + type.getAnnotatedType().getJavaClass().getName() + " found by "
                    + "bean discovery; " + AloAudioExtension.class.getSimpleName() + " registers it");
            type.veto();
        }
    }

    private static String idOf(Class<?> beanClass) {
        return AloAudioExtension.class.getName() + "/" + beanClass.getName();
    }
}
