package ai.alo.audio.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Settings of an {@link AloAudioTestKit} registered with {@code @ExtendWith(AloAudioTestKit.class)}, put on the test
 * class (or an enclosing class of a {@code @Nested} one). A kit made with {@link AloAudioTestKit#builder()} ignores
 * it: configure that one in code.
 *
 * <pre>{@code
 * @ExtendWith(AloAudioTestKit.class)
 * @TestKitSettings(scope = AloAudioTestKit.Scope.TEST)
 * class EveryTestItsOwnServiceTest { ... }
 * }</pre>
 *
 * @since 0.1
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TestKitSettings {

    /**
     * One service for the class, or one per test.
     *
     * @return the scope; {@link AloAudioTestKit.Scope#CLASS} by default
     */
    AloAudioTestKit.Scope scope() default AloAudioTestKit.Scope.CLASS;

    /**
     * Whether the service relays audio (needs a network interface other than loopback).
     *
     * @return {@code false} by default: signalling only
     */
    boolean media() default false;
}
