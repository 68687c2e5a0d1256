package ai.alo.audio.cdi;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.Objects;

/**
 * Selects the events of one {@link ai.alo.audio.AloAudio} client by its {@linkplain
 * ai.alo.audio.AloAudioConfig#name() name}: a topic selector on CDI events.
 *
 * <p>Every event a client emits is fired to CDI with the qualifier {@code @AloClient(name)}: {@code "default"} for
 * the injected default client, the configured name for clients made by {@link AloAudioFactory}. An observer with
 * this qualifier receives only the events of that client; an observer without qualifiers receives the events of
 * every client.
 *
 * <pre>{@code
 * void onSupportLost(@Observes @AloClient("support") DisconnectEvent event) { ... }
 * void onAnyLost(@Observes DisconnectEvent event) { ... }          // every client, including "support"
 * }</pre>
 *
 * <p>The qualifier selects events only: the injectable default client is {@code @Default}, and clients made by the
 * factory are not beans.
 *
 * @since 0.1
 */
@Qualifier
@Documented
@Retention(RUNTIME)
@Target({TYPE, METHOD, FIELD, PARAMETER})
public @interface AloClient {

    /**
     * The client name, as in {@link ai.alo.audio.AloAudioConfig#name()}.
     *
     * @return the name
     */
    String value();

    /**
     * An instance of {@link AloClient}, for {@code Event.select(...)}, {@code Instance.select(...)} and
     * {@code BeanManager} calls. Immutable and thread-safe.
     *
     * @since 0.1
     */
    final class Literal extends AnnotationLiteral<AloClient> implements AloClient {

        private static final long serialVersionUID = 1L;

        /** The literal of the default client, {@code @AloClient("default")}. */
        public static final Literal DEFAULT = new Literal(ai.alo.audio.AloAudioConfig.DEFAULT_NAME);

        /** The client name. */
        private final String value;

        private Literal(String value) {
            this.value = Objects.requireNonNull(value, "value");
        }

        /**
         * The literal {@code @AloClient(value)}.
         *
         * @param value the client name
         * @return the literal
         * @throws NullPointerException if {@code value} is null
         */
        public static Literal of(String value) {
            return new Literal(value);
        }

        @Override
        public String value() {
            return value;
        }
    }
}
