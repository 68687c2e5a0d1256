package ai.alo.audio.impl.media;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the log records of the client's logger ("ai.alo.audio"; System.Logger goes to java.util.logging here). */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("ai.alo.audio");
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    /** How many records carry a message id. */
    long count(String id) {
        return records.stream().filter(r -> r.getMessage() != null && r.getMessage().contains(id)).count();
    }

    /** Everything that was logged, as text (messages, parameters and thrown exceptions' messages). */
    String allText() {
        StringBuilder s = new StringBuilder();
        for (LogRecord r : records) {
            s.append(r.getMessage()).append(' ');
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    s.append(p).append(' ');
                }
            }
            if (r.getThrown() != null) {
                s.append(r.getThrown()).append(' ');
            }
            s.append('\n');
        }
        return s.toString();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
