package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sets the JUL root logger to ALL and keeps every record (with its parameters and throwable) until closed, when the
 * root's level and handlers are restored. Loggers with an explicit level of their own (such as the ones
 * {@link WireLogGuard} caps) keep it, as they would in production.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger root = Logger.getLogger("");
    private final Level rootLevel;
    private final List<LogRecord> records = new ArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        rootLevel = root.getLevel();
        root.addHandler(this);
        root.setLevel(Level.ALL);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    /**
     * Fails if any record contains a token's signature (the part of a JWT that is secret; its header and claims are
     * public), and also if nothing below INFO was recorded from Tyrus or Grizzly (then the check proves nothing).
     */
    void assertNoTokenIn(List<String> tokens) {
        List<LogRecord> all = records();
        assertTrue(all.stream().anyMatch(r -> r.getLevel().intValue() < Level.INFO.intValue()
                        && r.getLoggerName() != null && r.getLoggerName().startsWith("org.glassfish")),
                "level ALL must have produced FINE-or-lower records of Grizzly/Tyrus, or this check proves nothing");
        for (LogRecord record : all) {
            String text = everything(record);
            for (String token : tokens) {
                String signature = token.substring(token.lastIndexOf('.') + 1);
                if (text.contains(signature)) {
                    fail("a log record of " + record.getLoggerName() + " at " + record.getLevel()
                            + " contains a token");
                }
            }
        }
    }

    /** The message, the formatted message, every parameter and the throwable chain, as text. */
    static String everything(LogRecord record) {
        StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
        try {
            text.append('\n').append(new SimpleFormatter().formatMessage(record));
        } catch (RuntimeException e) {
            text.append('\n').append(e);
        }
        if (record.getParameters() != null) {
            for (Object parameter : record.getParameters()) {
                text.append('\n').append(parameter);
            }
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            text.append('\n').append(t);
        }
        return text.toString();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.setLevel(rootLevel);
        root.removeHandler(this);
    }
}
