package ai.alo.audio;

import ai.alo.audio.spi.ReconnectAttempt;
import ai.alo.audio.spi.ReconnectPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The default {@link ReconnectPolicy}: as in the ALO SDK, the first attempts are made at once, then the gaps grow
 * exponentially, with jitter so that many clients that lost the same service do not come back in one burst, until an
 * overall budget is spent.
 *
 * <p>The wait before attempt {@code n} of an outage (counted from 1) is:
 * <ul>
 *   <li>zero for {@code n <= immediateAttempts};</li>
 *   <li>otherwise {@code d = min(maxDelay, initialDelay * multiplier^(n - immediateAttempts - 1))}, drawn uniformly
 *       from {@code [d * (1 - jitter), d]};</li>
 *   <li>and the policy gives up when {@code maxAttempts > 0} and {@code n > maxAttempts}, or when the attempt would
 *       start later than {@code budget} after the loss.</li>
 * </ul>
 * With the {@linkplain #defaults() defaults} (2 immediate attempts, 500 ms initial delay, multiplier 2, 15 s maximum,
 * jitter 0.5, a budget of 10 minutes, no attempt limit) the waits are 0, 0, 0.25-0.5 s, 0.5-1 s, 1-2 s, 2-4 s, 4-8 s,
 * 7.5-15 s, then 7.5-15 s until 10 minutes have passed.
 *
 * <p>Configured in code with the {@code with...} methods, and in MicroProfile Config with the keys {@code
 * alo.audio.reconnect.immediate-attempts}, {@code initial-delay}, {@code multiplier}, {@code max-delay}, {@code
 * jitter}, {@code budget} and {@code max-attempts} (see the CDI module). Immutable and thread-safe.
 *
 * @param immediateAttempts how many attempts of an outage are made without waiting; 0 or more
 * @param initialDelay      the wait before the first attempt that waits; positive
 * @param multiplier        how much each wait grows over the previous one; at least 1
 * @param maxDelay          the longest wait; at least {@code initialDelay}
 * @param jitter            the fraction of each wait that is random, from 0 (none) to 1 (a wait may be anything
 *                          from zero to its full length)
 * @param budget            how long after the loss attempts may still start; positive
 * @param maxAttempts       the most attempts per outage, or 0 for no limit other than the budget
 * @since 0.3
 */
public record ReconnectBackoff(int immediateAttempts, Duration initialDelay, double multiplier, Duration maxDelay,
                               double jitter, Duration budget, int maxAttempts) implements ReconnectPolicy {

    /** The default number of immediate attempts: 2. */
    public static final int DEFAULT_IMMEDIATE_ATTEMPTS = 2;
    /** The default initial delay: 500 ms. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(500);
    /** The default multiplier: 2. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** The default longest wait: 15 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(15);
    /** The default jitter: 0.5. */
    public static final double DEFAULT_JITTER = 0.5;
    /** The default budget: 10 minutes. */
    public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(10);

    private static final ReconnectBackoff DEFAULTS = new ReconnectBackoff(DEFAULT_IMMEDIATE_ATTEMPTS,
            DEFAULT_INITIAL_DELAY, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY, DEFAULT_JITTER, DEFAULT_BUDGET, 0);

    /**
     * Validates the components.
     *
     * @throws NullPointerException    if a duration is null
     * @throws AloAudioConfigException naming the component ({@code reconnect.<component>}) if a value is out of range
     */
    public ReconnectBackoff {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(budget, "budget");
        if (immediateAttempts < 0) {
            throw invalid("immediateAttempts", "must not be negative, was " + immediateAttempts);
        }
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw invalid("initialDelay", "must be positive, was " + initialDelay);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw invalid("multiplier", "must be a number of at least 1, was " + multiplier);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw invalid("maxDelay", "must be at least initialDelay (" + initialDelay + "), was " + maxDelay);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw invalid("jitter", "must be between 0 and 1, was " + jitter);
        }
        if (budget.isNegative() || budget.isZero()) {
            throw invalid("budget", "must be positive, was " + budget);
        }
        if (maxAttempts < 0) {
            throw invalid("maxAttempts", "must not be negative (0 means no limit), was " + maxAttempts);
        }
    }

    private static AloAudioConfigException invalid(String component, String problem) {
        return new AloAudioConfigException("reconnect." + component, "reconnect " + component + " " + problem, null);
    }

    /**
     * The default policy.
     *
     * @return the defaults described above
     */
    public static ReconnectBackoff defaults() {
        return DEFAULTS;
    }

    @Override
    public Optional<Duration> delayBefore(ReconnectAttempt next) {
        int n = next.attempt();
        if (maxAttempts > 0 && n > maxAttempts) {
            return Optional.empty();
        }
        Duration wait = n <= immediateAttempts ? Duration.ZERO : jittered(nominalDelay(n));
        if (next.sinceLoss().plus(wait).compareTo(budget) > 0) {
            return Optional.empty();
        }
        return Optional.of(wait);
    }

    /**
     * The wait before attempt {@code n} without jitter: zero for the immediate attempts, then growing to {@code
     * maxDelay}.
     *
     * @param n the attempt, from 1
     * @return the nominal wait
     */
    public Duration nominalDelay(int n) {
        if (n <= immediateAttempts) {
            return Duration.ZERO;
        }
        double nanos = initialDelay.toNanos() * Math.pow(multiplier, n - immediateAttempts - 1.0);
        return nanos >= maxDelay.toNanos() ? maxDelay : Duration.ofNanos((long) nanos);
    }

    private Duration jittered(Duration nominal) {
        if (jitter == 0.0) {
            return nominal;
        }
        double factor = 1.0 - jitter * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (nominal.toNanos() * factor));
    }

    /**
     * A copy with another number of immediate attempts.
     *
     * @param value attempts made without waiting
     * @return the copy
     */
    public ReconnectBackoff withImmediateAttempts(int value) {
        return new ReconnectBackoff(value, initialDelay, multiplier, maxDelay, jitter, budget, maxAttempts);
    }

    /**
     * A copy with another initial delay.
     *
     * @param value the first wait
     * @return the copy
     */
    public ReconnectBackoff withInitialDelay(Duration value) {
        return new ReconnectBackoff(immediateAttempts, value, multiplier, maxDelay, jitter, budget, maxAttempts);
    }

    /**
     * A copy with another multiplier.
     *
     * @param value the growth of each wait
     * @return the copy
     */
    public ReconnectBackoff withMultiplier(double value) {
        return new ReconnectBackoff(immediateAttempts, initialDelay, value, maxDelay, jitter, budget, maxAttempts);
    }

    /**
     * A copy with another longest wait.
     *
     * @param value the longest wait
     * @return the copy
     */
    public ReconnectBackoff withMaxDelay(Duration value) {
        return new ReconnectBackoff(immediateAttempts, initialDelay, multiplier, value, jitter, budget, maxAttempts);
    }

    /**
     * A copy with another jitter.
     *
     * @param value the random fraction of each wait, 0 to 1
     * @return the copy
     */
    public ReconnectBackoff withJitter(double value) {
        return new ReconnectBackoff(immediateAttempts, initialDelay, multiplier, maxDelay, value, budget, maxAttempts);
    }

    /**
     * A copy with another budget.
     *
     * @param value how long after a loss attempts may start
     * @return the copy
     */
    public ReconnectBackoff withBudget(Duration value) {
        return new ReconnectBackoff(immediateAttempts, initialDelay, multiplier, maxDelay, jitter, value, maxAttempts);
    }

    /**
     * A copy with another attempt limit.
     *
     * @param value the most attempts per outage, 0 for none
     * @return the copy
     */
    public ReconnectBackoff withMaxAttempts(int value) {
        return new ReconnectBackoff(immediateAttempts, initialDelay, multiplier, maxDelay, jitter, budget, value);
    }
}
