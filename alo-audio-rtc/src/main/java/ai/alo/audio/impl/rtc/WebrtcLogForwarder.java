package ai.alo.audio.impl.rtc;

import dev.onvoid.webrtc.logging.LogSink;
import dev.onvoid.webrtc.logging.Logging;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passes libwebrtc's own log lines of severity WARNING and above to {@link System.Logger} {@code "ai.alo.audio.rtc"},
 * with the text passed through {@link Redaction}:
 * <ul>
 *   <li>native ERROR at WARNING, id {@code ALOAUD-2040}, at most {@value #WARNINGS_PER_MINUTE} a minute (then at DEBUG,
 *       and one {@code ALOAUD-2042} line a minute says how many were held back);</li>
 *   <li>native WARNING at DEBUG: libwebrtc warns about much that is normal;</li>
 *   <li>the lines that the engine's recipe causes on purpose (see {@link #EXPECTED}) at DEBUG, or not at all for the
 *       150 "Invalid audio transport" lines a second that the headless audio module writes while it runs.</li>
 * </ul>
 *
 * <p>Installed once per class loader, by {@link NativeMedia} after a successful load: webrtc-java 0.14.0 cannot remove
 * a log sink, and keeps a global reference to it (and so to this class loader) for the life of the process.
 * {@link #onLogMessage} runs on whichever native thread logs; it never throws (an exception escaping into the native
 * code would abort the JVM) and does not block beyond the logger itself.
 */
final class WebrtcLogForwarder implements LogSink {

    /** Most native ERROR lines a minute logged at WARNING. */
    static final int WARNINGS_PER_MINUTE = 20;

    /**
     * Lines the recipe of {@link RtcEngine} causes on purpose. With playout started before the factory exists, the
     * factory cannot register its audio transport with the audio device buffer ("Failed to set audio transport since
     * media was active"): the module's capture thread then pulls received audio from libwebrtc but its recorded
     * (silent) frames go nowhere ("Invalid audio transport"), so it never becomes a second producer of a send stream.
     */
    static final List<String> EXPECTED = List.of(
            "Failed to set audio transport since media was active",
            "Failed to set stereo playout mode",
            "Native object was not deleted"); // the audio device module at engine close: the factory still refers to it
    private static final String NOISE = "Invalid audio transport";
    static final String TRANSPORT_NOT_SET = EXPECTED.get(0);

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.rtc");
    private static final AtomicLong TRANSPORT_NOT_SET_SEEN = new AtomicLong();
    private static final AtomicLong NOISE_SEEN = new AtomicLong();

    private final Object budgetLock = new Object();
    private long windowStart = System.nanoTime();
    private int windowCount;
    private long heldBack;

    private WebrtcLogForwarder() {
    }

    static void install() {
        try {
            Logging.addLogSink(Logging.Severity.WARNING, new WebrtcLogForwarder());
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "ALOAUD-2041 could not forward webrtc's log lines: " + t);
        }
    }

    /** How often libwebrtc said that the factory's audio transport was not set (once per engine with the recipe). */
    static long transportNotSetCount() {
        return TRANSPORT_NOT_SET_SEEN.get();
    }

    /** How many "Invalid audio transport" lines libwebrtc wrote (the headless module's threads, every 10 ms). */
    static long invalidTransportCount() {
        return NOISE_SEEN.get();
    }

    @Override
    public void onLogMessage(Logging.Severity severity, String message) {
        try {
            if (message == null) {
                return;
            }
            if (message.contains(NOISE)) {
                NOISE_SEEN.incrementAndGet();
                return;
            }
            if (message.contains(TRANSPORT_NOT_SET)) {
                TRANSPORT_NOT_SET_SEEN.incrementAndGet();
            }
            boolean expected = false;
            for (String e : EXPECTED) {
                if (message.contains(e)) {
                    expected = true;
                    break;
                }
            }
            if (expected || severity != Logging.Severity.ERROR) {
                if (LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "webrtc " + severity + ": " + Redaction.redact(message));
                }
                return;
            }
            long summary = 0;
            boolean warn;
            synchronized (budgetLock) {
                long now = System.nanoTime();
                if (now - windowStart >= TimeUnit.MINUTES.toNanos(1)) {
                    summary = heldBack;
                    heldBack = 0;
                    windowStart = now;
                    windowCount = 0;
                }
                warn = windowCount < WARNINGS_PER_MINUTE;
                if (warn) {
                    windowCount++;
                } else {
                    heldBack++;
                }
            }
            if (summary > 0) {
                LOG.log(Level.WARNING, "ALOAUD-2042 " + summary + " more webrtc error line(s) in the last minute "
                        + "were logged at DEBUG only");
            }
            if (warn) {
                LOG.log(Level.WARNING, "ALOAUD-2040 webrtc: " + Redaction.redact(message));
            } else if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "webrtc ERROR (over the budget): " + Redaction.redact(message));
            }
        } catch (Throwable t) {
            // never into native code
        }
    }
}
