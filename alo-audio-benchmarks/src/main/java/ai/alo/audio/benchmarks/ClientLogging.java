package ai.alo.audio.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client JVM's logging during a benchmark: WARNING and above, as an application would keep it, written to a file
 * ({@code target/benchmark-client.log}) instead of the console, so that thousands of expected lines (one
 * {@code ALOAUD-1003} per lost connection) neither flood the report nor cost console I/O; and counted by message id
 * for the report. The previous configuration is restored by {@link #close()}.
 */
final class ClientLogging implements AutoCloseable {

    private static final Pattern MESSAGE_ID = Pattern.compile("ALO[A-Z]+-\\d+");
    // strong references: java.util.logging holds loggers weakly
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger CLIENT = Logger.getLogger("ai.alo.audio");

    private final Map<String, Integer> counts = new TreeMap<>();
    private final Level previousLevel;
    private final Level previousClientLevel;
    private final List<Handler> removed = new ArrayList<>();
    private final Handler counter;
    private final Handler file;

    /**
     * Installs the benchmark's logging.
     *
     * @param logFile     where the lines go
     * @param info        INFO and above instead of WARNING and above
     * @param clientLevel the level of the client's own logger ({@code ai.alo.audio}), or null to leave it; SEVERE
     *                    drops its WARNING lines, to measure what they cost
     */
    ClientLogging(Path logFile, boolean info, Level clientLevel) {
        previousLevel = ROOT.getLevel();
        previousClientLevel = CLIENT.getLevel();
        ROOT.setLevel(info ? Level.INFO : Level.WARNING);
        if (clientLevel != null) {
            CLIENT.setLevel(clientLevel);
        }
        for (Handler handler : ROOT.getHandlers()) {
            if (handler instanceof java.util.logging.ConsoleHandler) {
                ROOT.removeHandler(handler);
                removed.add(handler);
            }
        }
        counter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                    return;
                }
                Matcher id = MESSAGE_ID.matcher(String.valueOf(record.getMessage()));
                synchronized (counts) {
                    counts.merge(id.find() ? id.group() : String.valueOf(record.getLoggerName()), 1, Integer::sum);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        ROOT.addHandler(counter);
        Handler fileHandler = null;
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            fileHandler = new FileHandler(logFile.toAbsolutePath().toString(), true);
            fileHandler.setFormatter(new SimpleFormatter());
            fileHandler.setLevel(Level.ALL);
            ROOT.addHandler(fileHandler);
        } catch (IOException e) {
            System.err.println("benchmark: cannot write " + logFile + " (" + e
                    + "); client log lines are only counted");
        }
        file = fileHandler;
    }

    /** Log records at WARNING and above so far, by message id (or logger name when there is none). */
    Map<String, Integer> counts() {
        synchronized (counts) {
            return new TreeMap<>(counts);
        }
    }

    void reset() {
        synchronized (counts) {
            counts.clear();
        }
    }

    @Override
    public void close() {
        ROOT.removeHandler(counter);
        if (file != null) {
            ROOT.removeHandler(file);
            file.close();
        }
        removed.forEach(ROOT::addHandler);
        ROOT.setLevel(previousLevel);
        CLIENT.setLevel(previousClientLevel);
    }
}
