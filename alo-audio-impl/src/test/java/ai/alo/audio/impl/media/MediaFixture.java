package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioUser;
import ai.alo.audio.impl.runtime.ClientRuntime;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real runtime made through the public API (the registry is its {@code devices()}), with clients that are never
 * connected: the devices need no server. Also the process-level counters the release proofs use.
 */
final class MediaFixture implements AutoCloseable {

    final ClientRuntime runtime;
    final DeviceRegistry devices;

    MediaFixture(String name) {
        this.runtime = (ClientRuntime) AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name(name).build());
        this.devices = runtime.devices();
    }

    static AloAudioConfig.Builder config(String name) {
        return AloAudioConfig.builder()
                .name(name)
                .serverUri("ws://127.0.0.1:9/audio")
                .user(new AudioUser("user-" + name, "User " + name, "device-" + name))
                .userAuthToken("token-never-sent");
    }

    AloAudio client(String name) {
        return runtime.newClient(config(name).build());
    }

    AloAudio client(AloAudioConfig config) {
        return runtime.newClient(config);
    }

    ClientAudio audio(AloAudio client) {
        return devices.clientAudio(client).orElseThrow();
    }

    @Override
    public void close() {
        runtime.close();
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Waits (bounded, 10 s) until the condition holds. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /** The files this process has open, as paths ({@code /proc/self/fd}). */
    static List<String> openFiles() {
        List<String> out = new ArrayList<>();
        File[] fds = new File("/proc/self/fd").listFiles();
        if (fds == null) {
            return out;
        }
        for (File fd : fds) {
            try {
                out.add(Files.readSymbolicLink(fd.toPath()).toString());
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return out;
    }

    static boolean isOpen(Path file) {
        return openFiles().contains(file.toAbsolutePath().toString());
    }

    static int fileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** The live threads whose name starts with a prefix. */
    static List<String> threadsNamed(String prefix) {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
