package ai.alo.audio.scenarios;

import ai.alo.audio.ConnectionState;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Checks that a client never reconnected faster than its {@link ReconnectBackoff} allows: no loop. Every reconnect
 * attempt is a {@code CONNECTING} {@link ConnectionChangeEvent} whose {@code retryCount} is the attempt's number in its
 * outage (from 1; an outage continued by a loss before the reconnect was stable goes on counting). Attempt {@code n}
 * may start no earlier than the sum of the shortest waits the policy can draw for attempts 1 to {@code n} after the
 * outage began (the {@code ERROR} transition of the loss whose first attempt it is), and no later than the policy's
 * budget after it. Times are the events' own {@code timestamp}s (taken when the transition was committed), so late
 * delivery on a busy machine does not blur them.
 */
final class AttemptSchedule {

    /** What one client's reconnect attempts looked like. */
    record Summary(int attempts, int outages, int longestOutageAttempts) {
    }

    private AttemptSchedule() {
    }

    /**
     * The shortest time from the loss to the start of attempt {@code n}: the sum of the shortest waits (the nominal
     * wait less its jitter) of attempts 1 to {@code n}.
     */
    static Duration earliestStart(ReconnectBackoff policy, int n) {
        double nanos = 0;
        for (int k = 1; k <= n; k++) {
            nanos += policy.nominalDelay(k).toNanos() * (1.0 - policy.jitter());
        }
        return Duration.ofNanos((long) nanos);
    }

    /**
     * The most attempts the policy lets an outage of this length start.
     *
     * @param policy the policy
     * @param length how long the outage lasted
     * @return the bound
     */
    static int maxAttempts(ReconnectBackoff policy, Duration length) {
        int n = 0;
        while (earliestStart(policy, n + 1).compareTo(length) <= 0 && n < 100_000) {
            n++;
        }
        return policy.maxAttempts() > 0 ? Math.min(n, policy.maxAttempts()) : n;
    }

    /**
     * Checks the attempts in a client's events.
     *
     * @param events    the client's events, in delivery order
     * @param policy    the client's policy
     * @param tolerance how much earlier than the policy's schedule an attempt may be stamped (clock granularity)
     * @param budgetSlack how much later than the budget an attempt may start (a late timer on a busy machine)
     * @return the counts
     * @throws AssertionError naming the attempt that broke the schedule
     */
    static Summary check(List<AloAudioEvent> events, ReconnectBackoff policy, Duration tolerance,
                         Duration budgetSlack) {
        Instant lastLoss = null;
        Instant outageStart = null;
        int previous = 0;
        int attempts = 0;
        int outages = 0;
        int longest = 0;
        for (int i = 0; i < events.size(); i++) {
            AloAudioEvent e = events.get(i);
            if (e instanceof ConnectionChangeEvent c && c.state() == ConnectionState.ERROR
                    && i + 1 < events.size() && events.get(i + 1) instanceof DisconnectEvent d && d.willReconnect()) {
                lastLoss = c.timestamp();
            }
            if (!(e instanceof ConnectionChangeEvent c) || c.state() != ConnectionState.CONNECTING
                    || c.retryCount() == 0) {
                continue;
            }
            int n = c.retryCount();
            String where = "attempt " + n + " (event " + i + ")";
            if (n == 1) {
                if (lastLoss == null) {
                    throw new AssertionError(where + " without a loss before it");
                }
                outageStart = lastLoss;
                outages++;
            } else if (n != previous + 1) {
                throw new AssertionError(where + " follows attempt " + previous + ": attempts must count up by one");
            }
            previous = n;
            attempts++;
            longest = Math.max(longest, n);
            Duration since = Duration.between(outageStart, c.timestamp());
            Duration earliest = earliestStart(policy, n).minus(tolerance);
            if (since.compareTo(earliest) < 0) {
                throw new AssertionError(where + " started " + since.toMillis() + " ms after the outage began; the "
                        + "policy allows it no earlier than " + earliestStart(policy, n).toMillis() + " ms: a loop");
            }
            if (since.compareTo(policy.budget().plus(budgetSlack)) > 0) {
                throw new AssertionError(where + " started " + since.toMillis() + " ms after the outage began, "
                        + "beyond the budget of " + policy.budget().toMillis() + " ms");
            }
        }
        return new Summary(attempts, outages, longest);
    }
}
