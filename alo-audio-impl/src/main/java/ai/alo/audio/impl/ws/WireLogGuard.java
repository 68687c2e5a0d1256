package ai.alo.audio.impl.ws;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps credentials out of the log. Tyrus's client writes the whole handshake request, the {@code Authorization:
 * Bearer <token>} header included, at FINE ({@code TyrusClientEngine}), and every text frame it sends, at FINEST
 * ({@code TyrusRemoteEndpoint}): a {@code hello} with its session resume secret, a {@code media.offer} with its ICE
 * password. This caps those two loggers at INFO, whatever the logging configuration says; nothing else of Tyrus's
 * logging is touched. The JUL loggers are held here so that their levels are not lost when they are
 * garbage-collected.
 */
final class WireLogGuard {

    private static final List<Logger> GUARDED = List.of(
            Logger.getLogger("org.glassfish.tyrus.client.TyrusClientEngine"),
            Logger.getLogger("org.glassfish.tyrus.core.TyrusRemoteEndpoint"));

    private WireLogGuard() {
    }

    /** Caps the guarded loggers at INFO. Cheap and idempotent; called before every connect. */
    static void apply() {
        for (Logger logger : GUARDED) {
            Level level = logger.getLevel();
            if (level == null || level.intValue() < Level.INFO.intValue()) {
                logger.setLevel(Level.INFO);
            }
        }
    }
}
