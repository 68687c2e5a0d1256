package ai.alo.audio.server;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the user auth token out of the log. Tyrus's server writes every handshake request, headers included, at
 * FINE ({@code TyrusWebSocketEngine}) and FINEST ({@code GrizzlyServerFilter}); with those levels enabled, the {@code
 * Authorization: Bearer <token>} header, and a browser's {@code Sec-WebSocket-Protocol: alo-audio, bearer.<token>},
 * would be logged. No other Tyrus or Grizzly logger writes request headers ({@code SubprotocolTokenTest} runs the
 * handshakes with the root logger at ALL and finds no token in any record). This caps those two loggers at INFO while a server runs,
 * whatever the logging configuration says. The JUL loggers are held here so that their level is not lost when they
 * are garbage-collected.
 */
final class WireLogGuard {

    private static final List<Logger> HEADER_LOGGERS = List.of(
            Logger.getLogger("org.glassfish.tyrus.core.TyrusWebSocketEngine"),
            Logger.getLogger("org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter"));

    private WireLogGuard() {
    }

    /** Caps the header-logging loggers at INFO. Idempotent. */
    static void apply() {
        for (Logger logger : HEADER_LOGGERS) {
            Level level = logger.getLevel();
            if (level == null || level.intValue() < Level.INFO.intValue()) {
                logger.setLevel(Level.INFO);
            }
        }
    }
}
