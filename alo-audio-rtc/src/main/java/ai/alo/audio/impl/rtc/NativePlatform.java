package ai.alo.audio.impl.rtc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checks that run before any webrtc-java class is touched: is this a platform that webrtc-java's native jar
 * supports, and can the dynamic linker find the system libraries that the native library needs and that are not
 * always installed. Pure Java, no side effects; every method is safe to call from any thread.
 */
final class NativePlatform {

    /** The one native jar this build ships (see the root pom's {@code webrtc-java.classifier}). */
    static final String CLASSIFIER = "linux-x86_64";

    /** The resource inside the native jar, and the prefix of the copies webrtc-java's loader makes in tmpdir. */
    static final String LIBRARY_RESOURCE = "libwebrtc-java-linux-x86_64.so";

    /** The link-time dependency of the native library that minimal images lack (webrtc-notes.md, platform-notes §5). */
    static final String LIBPULSE = "libpulse.so.0";

    /** Library file name to Debian/Ubuntu package and Fedora/RHEL package, for the install hint. */
    private static final Map<String, String[]> PACKAGES = Map.of(
            "libpulse.so.0", new String[] {"libpulse0", "pulseaudio-libs"},
            "libX11.so.6", new String[] {"libx11-6", "libX11"},
            "libXfixes.so.3", new String[] {"libxfixes3", "libXfixes"},
            "libXrandr.so.2", new String[] {"libxrandr2", "libXrandr"},
            "libXcomposite.so.1", new String[] {"libxcomposite1", "libXcomposite"},
            "libdbus-1.so.3", new String[] {"libdbus-1-3", "dbus-libs"},
            "libudev.so.1", new String[] {"libudev1", "systemd-libs"});

    /** Where glibc's dynamic linker looks when nothing else says otherwise (x86-64, Debian multiarch and others). */
    static final List<Path> DEFAULT_LIBRARY_DIRS = List.of(
            Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"),
            Path.of("/usr/local/lib"));

    private NativePlatform() {
    }

    /**
     * @return {@code null} if webrtc-java 0.14.0's native jar supports this operating system and architecture,
     *         otherwise a readable problem that names both
     */
    static String unsupportedPlatform(String osName, String osArch) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        boolean linux = os.startsWith("linux");
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86-64");
        if (linux && x64) {
            return null;
        }
        return "native WebRTC media is not available on " + osName + " " + osArch + ": this build ships webrtc-java's "
                + "native library for Linux on x86-64 (classifier " + CLASSIFIER + ") only";
    }

    /** The hint for a missing shared library, e.g. libpulse0 / pulseaudio-libs. */
    static String missingLibraryProblem(String soname) {
        String[] packages = PACKAGES.get(soname);
        if (packages == null) {
            return soname + " is missing: install the package that provides it with the system's package manager";
        }
        return soname + " is missing: install it with 'apt-get install " + packages[0] + "' (Debian, Ubuntu) or 'dnf "
                + "install " + packages[1] + "' (Fedora, RHEL)";
    }

    /**
     * Whether the dynamic linker can find {@code soname}, the way glibc's ld.so looks: {@code LD_LIBRARY_PATH}, the
     * cache {@code /etc/ld.so.cache}, the directories of {@code /etc/ld.so.conf} (with its includes) and the default
     * directories.
     */
    static boolean libraryFindable(String soname) {
        return libraryFindable(soname, System.getenv("LD_LIBRARY_PATH"), Path.of("/etc/ld.so.cache"),
                Path.of("/etc/ld.so.conf"), DEFAULT_LIBRARY_DIRS);
    }

    /** The same with every input given, for tests. Missing or unreadable files count as empty. */
    static boolean libraryFindable(String soname, String ldLibraryPath, Path ldSoCache, Path ldSoConf,
            List<Path> defaultDirs) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (ldLibraryPath != null) {
            for (String dir : ldLibraryPath.split(":")) {
                if (!dir.isBlank()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        for (Path dir : dirs) {
            if (Files.exists(dir.resolve(soname))) {
                return true;
            }
        }
        if (cacheNames(ldSoCache, soname)) {
            return true;
        }
        dirs.clear();
        collectConfDirs(ldSoConf, dirs, 0);
        dirs.addAll(defaultDirs);
        for (Path dir : dirs) {
            if (Files.exists(dir.resolve(soname))) {
                return true;
            }
        }
        return false;
    }

    /** ld.so.cache (both formats) stores every library name as a NUL-terminated string. */
    private static boolean cacheNames(Path cache, String soname) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(cache);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        byte[] needle = (soname + '\0').getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            // The name must start a string: at offset 0 or after a NUL byte.
            if (i > 0 && bytes[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void collectConfDirs(Path conf, Set<Path> dirs, int depth) {
        if (depth > 4) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(conf, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("include ")) {
                for (Path included : glob(conf.getParent(), line.substring("include ".length()).trim())) {
                    collectConfDirs(included, dirs, depth + 1);
                }
            } else if (line.startsWith("/")) {
                dirs.add(Path.of(line));
            }
        }
    }

    private static List<Path> glob(Path base, String pattern) {
        Path absolute = base == null ? Path.of(pattern) : base.resolve(pattern);
        Path dir = absolute.getParent();
        List<Path> result = new ArrayList<>();
        if (dir == null || absolute.getFileName() == null) {
            return result;
        }
        String name = absolute.getFileName().toString();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, name)) {
            for (Path entry : entries) {
                result.add(entry);
            }
        } catch (IOException | RuntimeException e) {
            // no such directory: nothing to include
        }
        result.sort(null);
        return result;
    }
}
