package ai.alo.audio.impl.rtc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The copies of the native library that webrtc-java's {@code NativeLoader} writes to {@code java.io.tmpdir}.
 *
 * <p>webrtc-java 0.14.0 copies the 23 MB library to {@code <tmpdir>/libwebrtc-java-linux-x86_64<random>.so} and
 * calls {@code System.load}; it deletes the copy after a successful load, but its cleanup catches {@code Exception}
 * only, so when {@code System.load} throws {@code UnsatisfiedLinkError} (an {@code Error}: a missing
 * {@code libpulse.so.0}, a corrupt file, a {@code noexec} tmpdir) the copy stays. {@link NativeMedia} takes a
 * {@link #snapshot} before its one load attempt and, if the attempt fails, {@link #removeLeftovers removes} the copies
 * that attempt made. Stateless; safe from any thread.
 */
final class TempCopies {

    private static final String PREFIX = "libwebrtc-java-linux-x86_64";
    private static final String SUFFIX = ".so";
    /** The path at the start of an UnsatisfiedLinkError message: "/tmp/libwebrtc-java-linux-x86_64123.so: ...". */
    private static final Pattern PATH_IN_MESSAGE = Pattern.compile("(/\\S*" + PREFIX + "\\d*\\" + SUFFIX + ")");

    private TempCopies() {
    }

    static boolean isCopyName(String fileName) {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SUFFIX)) {
            return false;
        }
        String middle = fileName.substring(PREFIX.length(), fileName.length() - SUFFIX.length());
        return middle.chars().allMatch(Character::isDigit);
    }

    /** The copies now in {@code tmpdir} (empty if it cannot be listed). */
    static Set<Path> snapshot(Path tmpdir) {
        Set<Path> copies = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmpdir, PREFIX + "*" + SUFFIX)) {
            for (Path entry : entries) {
                if (isCopyName(entry.getFileName().toString())) {
                    copies.add(entry.toAbsolutePath().normalize());
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable tmpdir: nothing to compare with
        }
        return copies;
    }

    /**
     * Removes the copies that a failed load attempt left in {@code tmpdir}: the file named by the failure (the path
     * at the start of the {@code UnsatisfiedLinkError} message, if it is such a copy in {@code tmpdir}), and any copy
     * that is new since {@code before} and not mapped into this process (a copy that another class loader of this
     * JVM has loaded stays).
     *
     * @return the files removed
     */
    static List<Path> removeLeftovers(Path tmpdir, Set<Path> before, Throwable failure) {
        Path dir = tmpdir.toAbsolutePath().normalize();
        Set<Path> candidates = new HashSet<>();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            Matcher m = PATH_IN_MESSAGE.matcher(message);
            while (m.find()) {
                Path named = Path.of(m.group(1)).toAbsolutePath().normalize();
                if (dir.equals(named.getParent()) && isCopyName(named.getFileName().toString())) {
                    candidates.add(named);
                }
            }
        }
        Set<Path> now = snapshot(dir);
        now.removeAll(before);
        candidates.addAll(now);
        Set<String> mapped = mappedFiles();
        List<Path> removed = new ArrayList<>();
        for (Path candidate : candidates) {
            if (mapped.contains(candidate.toString())) {
                continue;
            }
            try {
                if (Files.deleteIfExists(candidate)) {
                    removed.add(candidate);
                }
            } catch (IOException | RuntimeException e) {
                // not ours to delete after all (permissions): leave it
            }
        }
        return removed;
    }

    /** The files mapped into this process, from /proc/self/maps (empty where that does not exist). */
    private static Set<String> mappedFiles() {
        Set<String> files = new HashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
                int slash = line.indexOf('/');
                if (slash >= 0) {
                    String file = line.substring(slash);
                    if (file.endsWith(" (deleted)")) {
                        file = file.substring(0, file.length() - " (deleted)".length());
                    }
                    files.add(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted
        }
        return files;
    }
}
