package ai.alo.audio.spi;

import java.time.Duration;
import java.util.Optional;

/** The policy of {@link ReconnectPolicy#never()}: gives up at once. Stateless, thread-safe. */
enum NeverReconnect implements ReconnectPolicy {

    /** The one instance. */
    INSTANCE;

    @Override
    public Optional<Duration> delayBefore(ReconnectAttempt next) {
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "ReconnectPolicy.never()";
    }
}
