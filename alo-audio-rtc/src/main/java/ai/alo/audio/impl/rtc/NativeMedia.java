package ai.alo.audio.impl.rtc;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads webrtc-java's native library once per class loader, and says whether native media can be used. Never throws.
 *
 * <p>The first call of {@link #load()} checks, before any webrtc-java class is touched, that this is Linux on x86-64
 * (the only native jar this build ships), that {@code libpulse.so.0} can be found by the dynamic linker, and that
 * webrtc-java and its native jar are on the class path. Then it triggers webrtc-java's own loader (which copies the
 * 23 MB library to {@code java.io.tmpdir}, loads it and deletes the copy), catching every {@code Throwable}. If that
 * load fails, the copies it left in {@code java.io.tmpdir} are removed (webrtc-java 0.14.0 leaves them behind after an
 * {@code UnsatisfiedLinkError}; see {@link TempCopies}). On success it forwards webrtc's own log lines of severity
 * WARNING and above to {@link System.Logger} {@code "ai.alo.audio.rtc"} (native WARNING at DEBUG, native ERROR at
 * WARNING with id ALOAUD-2040; secrets redacted).
 *
 * <p>Later calls return the same {@link Status} without trying again: a failed load cannot be retried in the same class
 * loader, and each attempt would write another copy. {@code load()} is thread-safe; concurrent first calls wait for
 * the one attempt.
 *
 * <p>Class loaders: the native library belongs to the class loader of webrtc-java's classes, and a second class loader
 * (a redeployed application with webrtc-java in {@code WEB-INF/lib}) maps a second 23 MB copy. Servers should put
 * webrtc-java and this module in one server-wide module or library (docs/media.md).
 */
public final class NativeMedia {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.rtc");

    /** A class of webrtc-java with a static initializer that only loads the native library. */
    private static final String TRIGGER_CLASS = "dev.onvoid.webrtc.logging.Logging";
    private static final String LOADER_CLASS = "dev.onvoid.webrtc.internal.NativeLoader";
    private static final Pattern MISSING_SONAME =
            Pattern.compile("([A-Za-z0-9_.+-]+\\.so(\\.[0-9]+)*): cannot open shared object file");

    private static final Object LOCK = new Object();
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();
    private static volatile Status status;

    private NativeMedia() {
    }

    /**
     * The outcome of the one load attempt.
     *
     * @param available whether the native library is loaded and usable
     * @param problem   {@code null} when available; otherwise a readable sentence that names what is missing and how
     *                  to install it (an unsupported OS or architecture is named)
     * @param cause     the throwable of a failed load, or {@code null} (also when a check failed before loading)
     */
    public record Status(boolean available, String problem, Throwable cause) {
    }

    /**
     * Loads the native library on the first call, returns the outcome of that one attempt on every call.
     *
     * @return never {@code null}
     */
    public static Status load() {
        Status s = status;
        if (s != null) {
            return s;
        }
        synchronized (LOCK) {
            if (status == null) {
                ATTEMPTS.incrementAndGet();
                long t0 = System.nanoTime();
                Status attempt;
                try {
                    attempt = attempt();
                } catch (Throwable t) {
                    // attempt() catches what loading throws; this is a bug of ours, still never thrown to the caller
                    attempt = new Status(false, "could not load native WebRTC media: " + t, t);
                }
                status = attempt;
                if (attempt.available()) {
                    LOG.log(Level.INFO, "ALOAUD-2000 native WebRTC media loaded (webrtc-java, " + NativePlatform.CLASSIFIER
                            + ") in " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
                            + " ms");
                } else {
                    LOG.log(Level.WARNING, "ALOAUD-2001 native WebRTC media unavailable: " + attempt.problem());
                }
            }
            return status;
        }
    }

    /** How often a load was attempted in this class loader: 0 before the first {@link #load()}, then 1. For tests. */
    static int attempts() {
        return ATTEMPTS.get();
    }

    private static Status attempt() {
        String platform = NativePlatform.unsupportedPlatform(System.getProperty("os.name"),
                System.getProperty("os.arch"));
        if (platform != null) {
            return new Status(false, platform, null);
        }
        if (!NativePlatform.libraryFindable(NativePlatform.LIBPULSE)) {
            return new Status(false, NativePlatform.missingLibraryProblem(NativePlatform.LIBPULSE)
                    + " (webrtc-java's native library links it)", null);
        }
        ClassLoader ours = NativeMedia.class.getClassLoader();
        Class<?> loaderClass;
        try {
            loaderClass = Class.forName(LOADER_CLASS, false, ours);
        } catch (ClassNotFoundException | LinkageError e) {
            return new Status(false, "webrtc-java is not on the class path: add the dependency "
                    + "dev.onvoid.webrtc:webrtc-java:0.14.0 and the same artifact with classifier "
                    + NativePlatform.CLASSIFIER, e);
        }
        ClassLoader webrtcLoader = loaderClass.getClassLoader();
        if (webrtcLoader == null || webrtcLoader.getResource(NativePlatform.LIBRARY_RESOURCE) == null) {
            return new Status(false, "webrtc-java's native jar is not on the class path: add the dependency "
                    + "dev.onvoid.webrtc:webrtc-java:0.14.0 with classifier " + NativePlatform.CLASSIFIER
                    + " (on the module path also --add-modules webrtc.linux.x86_64)", null);
        }

        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = TempCopies.snapshot(tmpdir);
        try {
            Class.forName(TRIGGER_CLASS, true, webrtcLoader);
        } catch (Throwable failure) {
            List<Path> removed = TempCopies.removeLeftovers(tmpdir, before, failure);
            if (!removed.isEmpty()) {
                LOG.log(Level.INFO, "ALOAUD-2002 removed " + removed.size() + " copy(ies) of the native library that "
                        + "the failed load left in " + tmpdir);
            }
            return new Status(false, describe(failure, tmpdir), failure);
        }
        WebrtcLogForwarder.install();
        return new Status(true, null, null);
    }

    /** A readable problem for a failed load: the missing library and its package, a noexec tmpdir, or the error. */
    static String describe(Throwable failure, Path tmpdir) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                text.append(t.getMessage()).append('\n');
            }
        }
        String all = text.toString();
        Matcher missing = MISSING_SONAME.matcher(all);
        if (missing.find()) {
            return NativePlatform.missingLibraryProblem(missing.group(1))
                    + " (webrtc-java's native library needs it)";
        }
        if (all.contains("invalid ELF header") || all.contains("file too short")) {
            return "webrtc-java's native library is damaged (" + (all.contains("invalid ELF header") ? "invalid ELF "
                    + "header" : "file too short") + "): replace the jar dev.onvoid.webrtc:webrtc-java:0.14.0:"
                    + NativePlatform.CLASSIFIER + " (or the first jar on the class path that holds "
                    + NativePlatform.LIBRARY_RESOURCE + ")";
        }
        if (all.contains("failed to map segment") || all.contains("Operation not permitted")) {
            return "could not load webrtc-java's native library from java.io.tmpdir (" + tmpdir + "), which may be "
                    + "mounted noexec: set -Djava.io.tmpdir to a directory that allows executing files";
        }
        if (all.contains("No space left") || all.contains("AccessDenied") || all.contains("Permission denied")) {
            return "could not copy webrtc-java's native library (23 MB) to java.io.tmpdir (" + tmpdir + "): "
                    + firstLine(all);
        }
        return "could not load webrtc-java's native library: " + failure.getClass().getName() + ": "
                + firstLine(all);
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
