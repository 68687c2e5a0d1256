package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading the native library: once per class loader, a readable problem when it cannot load, and no 23 MB copy left
 * in {@code java.io.tmpdir} after a failed load. The failure cases run in child JVMs (a failed load cannot be undone in
 * this one), each with its own fresh {@code java.io.tmpdir}:
 * <ul>
 *   <li>a class path whose first entry is a jar with a corrupt {@code libwebrtc-java-linux-x86_64.so}, so that
 *       webrtc-java's own loader copies it to tmpdir and {@code System.load} throws {@code UnsatisfiedLinkError}; a
 *       control run without {@link NativeMedia} shows that webrtc-java 0.14.0 leaves the copy behind;</li>
 *   <li>{@code -Dos.arch=aarch64}: refused before any webrtc-java class is touched;</li>
 *   <li>the real library: loads, and leaves nothing behind either.</li>
 * </ul>
 */
class NativeMediaLoadTest {

    @TempDir
    Path work;

    @Test
    void load_inThisJvm_isTriedOnceAndReturnsTheSameStatus() {
        NativeMedia.Status first = NativeMedia.load();
        NativeMedia.Status second = NativeMedia.load();
        assertSame(first, second);
        assertEquals(1, NativeMedia.attempts());
        assertTrue(first.available(), "native media loads on this machine (bin/setup installs libpulse0): "
                + first.problem());
    }

    @Test
    void corruptLibrary_failsReadably_onceAndLeavesNoCopyInTmpdir() throws Exception {
        Path corruptJar = work.resolve("corrupt-native.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(corruptJar))) {
            jar.putNextEntry(new JarEntry(NativePlatform.LIBRARY_RESOURCE));
            byte[] garbage = new byte[1 << 20];
            java.util.Arrays.fill(garbage, (byte) 0x5a);
            jar.write(garbage);
            jar.closeEntry();
        }

        // Control: webrtc-java on its own leaves its copy in tmpdir when System.load fails.
        Path rawTmp = Files.createDirectories(work.resolve("tmp-raw"));
        Map<String, String> raw = runChild(rawTmp, List.of(), corruptJar, "raw");
        assertEquals("false", raw.get("raw.loaded"), raw.toString());
        assertTrue(raw.get("leftovers").contains("libwebrtc-java-linux-x86_64"), "webrtc-java 0.14.0 leaves the "
                + "copy behind (if this fails, upstream fixed it and TempCopies may go): " + raw);

        // Through NativeMedia: the problem is readable, the load is tried once, no copy stays.
        Path oursTmp = Files.createDirectories(work.resolve("tmp-ours"));
        Map<String, String> ours = runChild(oursTmp, List.of(), corruptJar, "ours");
        System.out.println("corrupt library: " + ours);
        assertEquals("false", ours.get("available"));
        assertTrue(ours.get("problem").startsWith("webrtc-java's native library is damaged (invalid ELF header)"),
                ours.toString());
        assertEquals("java.lang.UnsatisfiedLinkError", ours.get("cause"));
        assertEquals("true", ours.get("sameStatus"));
        assertEquals("unavailable", ours.get("engine"));
        assertEquals(ours.get("problem"), ours.get("engineMessage"), "RtcEngine.create throws the same problem");
        assertEquals("1", ours.get("attempts"), "tried once although load() and create() were called three times");
        assertEquals("[]", ours.get("leftovers"), "no copy left in java.io.tmpdir");
        assertEquals(List.of(), listing(oursTmp));
    }

    @Test
    void unsupportedArchitecture_isRefusedBeforeLoading() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp-arch"));
        Map<String, String> out = runChild(tmp, List.of("-Dos.arch=aarch64"), null, "ours");
        System.out.println("aarch64: " + out);
        assertEquals("false", out.get("available"));
        assertTrue(out.get("problem").contains("aarch64") && out.get("problem").contains("x86-64"), out.toString());
        assertEquals("none", out.get("cause"));
        assertEquals("unavailable", out.get("engine"));
        assertEquals("[]", out.get("leftovers"));
    }

    @Test
    void realLibrary_loadsInAChildJvm_leavesNothingInTmpdir_andTheJvmExitsAfterClose() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp-real"));
        Map<String, String> out = runChild(tmp, List.of(), null, "ours");
        System.out.println("real library: " + out);
        assertEquals("true", out.get("available"), out.toString());
        assertEquals("started", out.get("engine"));
        assertEquals("1", out.get("attempts"));
        assertEquals("[]", out.get("leftovers"));
    }

    @Test
    void describe_namesTheMissingLibraryAndItsPackage() {
        UnsatisfiedLinkError missing = new UnsatisfiedLinkError("/tmp/libwebrtc-java-linux-x86_641234.so: "
                + "libpulse.so.0: cannot open shared object file: No such file or directory");
        String problem = NativeMedia.describe(missing, Path.of("/tmp"));
        assertEquals("libpulse.so.0 is missing: install it with 'apt-get install libpulse0' (Debian, Ubuntu) or 'dnf "
                + "install pulseaudio-libs' (Fedora, RHEL) (webrtc-java's native library needs it)", problem);

        UnsatisfiedLinkError other = new UnsatisfiedLinkError("/tmp/x.so: libfoo.so.3: cannot open shared object "
                + "file: No such file or directory");
        assertTrue(NativeMedia.describe(other, Path.of("/tmp")).startsWith("libfoo.so.3 is missing"));

        UnsatisfiedLinkError noexec = new UnsatisfiedLinkError("/tmp/libwebrtc-java-linux-x86_641.so: failed to map "
                + "segment from shared object");
        assertTrue(NativeMedia.describe(noexec, Path.of("/tmp")).contains("noexec"));

        RuntimeException wrapped = new RuntimeException("Load library 'webrtc-java' failed",
                new java.nio.file.FileSystemException("/tmp/x: No space left on device"));
        assertTrue(NativeMedia.describe(new ExceptionInInitializerError(wrapped), Path.of("/tmp"))
                .contains("23 MB"));
    }

    @Test
    void tempCopies_removesOnlyTheCopiesOfTheFailedAttempt() throws IOException {
        Path tmp = Files.createDirectories(work.resolve("tmp-copies"));
        Path older = Files.writeString(tmp.resolve("libwebrtc-java-linux-x86_6411.so"), "older");
        Path unrelated = Files.writeString(tmp.resolve("libwebrtc-java-linux-x86_64-notes.txt"), "x");
        var before = TempCopies.snapshot(tmp);
        Path named = Files.writeString(tmp.resolve("libwebrtc-java-linux-x86_6422.so"), "named");
        Path fresh = Files.writeString(tmp.resolve("libwebrtc-java-linux-x86_6433.so"), "new");
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(named + ": invalid ELF header");
        List<Path> removed = TempCopies.removeLeftovers(tmp, before, error);
        assertEquals(2, removed.size(), removed.toString());
        assertFalse(Files.exists(named));
        assertFalse(Files.exists(fresh));
        assertTrue(Files.exists(older), "a copy from before the attempt stays");
        assertTrue(Files.exists(unrelated));
        assertTrue(TempCopies.isCopyName("libwebrtc-java-linux-x86_64.so"));
        assertFalse(TempCopies.isCopyName("libwebrtc-java-linux-x86_64x1.so"));
    }

    /** Runs {@link NativeMediaProbe} in a child JVM with its own tmpdir; returns its key=value lines. */
    private static Map<String, String> runChild(Path tmpdir, List<String> jvmArgs, Path firstOnClassPath,
            String mode) throws Exception {
        List<String> classPath = new ArrayList<>();
        if (firstOnClassPath != null) {
            classPath.add(firstOnClassPath.toString());
        }
        classPath.add(location(NativeMediaProbe.class.getProtectionDomain().getCodeSource().getLocation()));
        classPath.add(location(NativeMedia.class.getProtectionDomain().getCodeSource().getLocation()));
        Class<?> loader = Class.forName("dev.onvoid.webrtc.internal.NativeLoader", false,
                NativeMediaLoadTest.class.getClassLoader());
        classPath.add(location(loader.getProtectionDomain().getCodeSource().getLocation()));
        URL nativeJar = loader.getClassLoader().getResource(NativePlatform.LIBRARY_RESOURCE);
        String jarUrl = nativeJar.toString();
        assertTrue(jarUrl.startsWith("jar:file:"), jarUrl);
        classPath.add(location(new URL(jarUrl.substring("jar:".length(), jarUrl.indexOf("!/")))));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.io.tmpdir=" + tmpdir);
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(String.join(java.io.File.pathSeparator, classPath));
        command.add(NativeMediaProbe.class.getName());
        command.add(mode);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        byte[] output = child.getInputStream().readAllBytes();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), "child JVM exit status; output:\n" + text);
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ")) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            } else if (eq > 0 && line.matches("[A-Za-z.]+=.*")) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertTrue(values.containsKey("leftovers"), "the probe ran to the end; output:\n" + text);
        return values;
    }

    private static String location(URL url) throws URISyntaxException {
        return Path.of(url.toURI()).toString();
    }

    private static List<String> listing(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (var entries = Files.list(dir)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }
}
