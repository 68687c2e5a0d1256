package ai.alo.audio.impl.ws;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the user auth token out of the log. Tyrus's client writes the whole handshake request, the {@code
 * Authorization: Bearer <token>} header included, at FINE ({@code TyrusClientEngine}). This caps that one logger at
 * INFO, whatever the logging configuration says; nothing else of Tyrus's logging is touched. The JUL logger is held
 * here so that its level is not lost when it is garbage-collected.
 */
final class WireLogGuard {

    private static final Logger HANDSHAKE_LOGGER = Logger.getLogger("org.glassfish.tyrus.client.TyrusClientEngine");

    private WireLogGuard() {
    }

    /** Caps the handshake logger at INFO. Cheap and idempotent; called before every connect. */
    static void apply() {
        Level level = HANDSHAKE_LOGGER.getLevel();
        if (level == null || level.intValue() < Level.INFO.intValue()) {
            HANDSHAKE_LOGGER.setLevel(Level.INFO);
        }
    }
}
