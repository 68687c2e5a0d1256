package ai.alo.audio.cdi;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures the messages of the {@code ai.alo.audio.cdi} logger ({@link System.Logger} is backed by
 * {@code java.util.logging} in these tests), formatted, with their stack traces.
 */
final class LogCapture implements AutoCloseable {

    private final Logger logger = Logger.getLogger("ai.alo.audio.cdi");
    private final Formatter formatter = new SimpleFormatter();
    private final Recording<String> messages = new Recording<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            messages.add(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        logger.addHandler(handler);
    }

    /** The next message containing {@code text}, waiting at most {@value Recording#WAIT_SECONDS} s. */
    String next(String text) throws InterruptedException {
        return messages.next(m -> m.contains(text));
    }

    Recording<String> messages() {
        return messages;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
