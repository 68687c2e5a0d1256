package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks before loading: platform, and where the dynamic linker would find a library. */
class NativePlatformTest {

    @TempDir
    Path dir;

    @Test
    void unsupportedPlatform_acceptsLinuxX64Only_andNamesWhatItSaw() {
        assertNull(NativePlatform.unsupportedPlatform("Linux", "amd64"));
        assertNull(NativePlatform.unsupportedPlatform("Linux", "x86_64"));
        String mac = NativePlatform.unsupportedPlatform("Mac OS X", "aarch64");
        assertTrue(mac.contains("Mac OS X aarch64") && mac.contains("linux-x86_64"), mac);
        String arm = NativePlatform.unsupportedPlatform("Linux", "aarch64");
        assertTrue(arm.contains("Linux aarch64"), arm);
        assertTrue(NativePlatform.unsupportedPlatform("Windows 11", "amd64").contains("Windows 11"));
        assertTrue(NativePlatform.unsupportedPlatform(null, null).contains("null"));
    }

    @Test
    void missingLibraryProblem_namesPackagesForBothFamilies() {
        assertEquals("libpulse.so.0 is missing: install it with 'apt-get install libpulse0' (Debian, Ubuntu) or "
                + "'dnf install pulseaudio-libs' (Fedora, RHEL)", NativePlatform.missingLibraryProblem("libpulse.so.0"));
        assertTrue(NativePlatform.missingLibraryProblem("libX11.so.6").contains("libx11-6"));
        assertTrue(NativePlatform.missingLibraryProblem("libunknown.so.9").contains("libunknown.so.9 is missing"));
    }

    @Test
    void libraryFindable_throughLdLibraryPath() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("custom"));
        Files.writeString(lib.resolve("libpulse.so.0"), "");
        assertTrue(NativePlatform.libraryFindable("libpulse.so.0", "/nowhere:" + lib, dir.resolve("no-cache"),
                dir.resolve("no-conf"), List.of()));
        assertFalse(NativePlatform.libraryFindable("libpulse.so.0", "/nowhere", dir.resolve("no-cache"),
                dir.resolve("no-conf"), List.of()));
    }

    @Test
    void libraryFindable_throughTheLdSoCache() throws IOException {
        Path cache = dir.resolve("ld.so.cache");
        byte[] bytes = ("glibc-ld.so.cache1.1\0libfoo.so.1\0/usr/lib/libfoo.so.1\0libpulse.so.0\0"
                + "/lib/x86_64-linux-gnu/libpulse.so.0\0").getBytes(StandardCharsets.US_ASCII);
        Files.write(cache, bytes);
        assertTrue(NativePlatform.libraryFindable("libpulse.so.0", null, cache, dir.resolve("no-conf"), List.of()));
        assertFalse(NativePlatform.libraryFindable("libpulse.so", null, cache, dir.resolve("no-conf"), List.of()),
                "a prefix of a name does not count");
        assertFalse(NativePlatform.libraryFindable("ulse.so.0", null, cache, dir.resolve("no-conf"), List.of()),
                "a suffix of a name does not count");
    }

    @Test
    void libraryFindable_throughLdSoConfIncludes() throws IOException {
        Path libs = Files.createDirectories(dir.resolve("opt/lib"));
        Files.writeString(libs.resolve("libpulse.so.0"), "");
        Path confDir = Files.createDirectories(dir.resolve("ld.so.conf.d"));
        Files.writeString(confDir.resolve("opt.conf"), "# a comment\n" + libs + "\n");
        Path conf = dir.resolve("ld.so.conf");
        Files.writeString(conf, "include ld.so.conf.d/*.conf\n");
        assertTrue(NativePlatform.libraryFindable("libpulse.so.0", null, dir.resolve("no-cache"), conf, List.of()));
        Files.delete(confDir.resolve("opt.conf"));
        assertFalse(NativePlatform.libraryFindable("libpulse.so.0", null, dir.resolve("no-cache"), conf, List.of()));
    }

    @Test
    void libraryFindable_inTheDefaultDirectories() throws IOException {
        Path usrLib = Files.createDirectories(dir.resolve("usr/lib"));
        Files.writeString(usrLib.resolve("libpulse.so.0"), "");
        assertTrue(NativePlatform.libraryFindable("libpulse.so.0", "", dir.resolve("no-cache"), dir.resolve("no-conf"),
                List.of(dir.resolve("lib"), usrLib)));
    }

    @Test
    void libraryFindable_onThisMachine_findsLibc() {
        assertTrue(NativePlatform.libraryFindable("libc.so.6"), "the real lookup finds libc");
        assertFalse(NativePlatform.libraryFindable("libalo-does-not-exist.so.0"));
    }
}
