package ai.alo.audio.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo that {@code bin/demo} runs still works: run it in its own JVM, as the README's command does. */
class DemoApplicationTest {

    @Test
    void demo_runsToTheEndAndExitsWithZero() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process demo = new ProcessBuilder(java, "-Dorg.jboss.weld.executor.threadPoolType=FIXED",
                "-cp", System.getProperty("java.class.path"), DemoApplication.class.getName())
                .redirectErrorStream(true).start();
        try {
            byte[] output = demo.getInputStream().readAllBytes();
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo did not end");
            String text = new String(output, StandardCharsets.UTF_8);
            assertEquals(0, demo.exitValue(), text);
            assertTrue(text.contains("state=ERROR message=\"Lost connection to the server\""), text);
            assertTrue(text.contains("state=DISCONNECTED message=\"\""), text);
            assertTrue(text.contains("Demo finished"), text);
        } finally {
            demo.destroyForcibly();
        }
    }
}
