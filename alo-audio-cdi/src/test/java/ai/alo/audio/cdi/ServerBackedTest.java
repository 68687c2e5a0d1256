package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs a real {@link AloAudioServer} in the test JVM for the test class (started and stopped by the project's test kit,
 * {@link AloAudioTestKit}, signalling only), boots Weld SE containers without bean
 * discovery, sets configuration as system properties, and after each test closes what the test opened, restores the
 * properties and checks that no client thread ({@code alo-audio-*}, other than the server's) is left.
 */
abstract class ServerBackedTest {

    static final AudioChannel CHANNEL = AudioChannel.fullDuplex("ops", "Operations");
    private static final AtomicInteger USERS = new AtomicInteger();

    /** The class's service; its fault proxy is there too ({@code KIT.proxy()}), the tests connect directly. */
    @RegisterExtension
    static final AloAudioTestKit KIT = AloAudioTestKit.builder().build();

    static AloAudioServer server;

    /** Each property a test set, with its value before the test (null: unset), restored after it. */
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = KIT.server();
    }

    @AfterAll
    static void forgetServer() {
        server = null; // the kit stops it after the class
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
        } finally {
            opened.clear();
            // restored, not cleared: surefire sets some (alo.audio.media-enabled=false) for every test
            properties.forEach((key, before) -> {
                if (before == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, before);
                }
            });
            properties.clear();
        }
        assertNoClientThreadsLeft();
    }

    /** A user id no other test uses, so that sessions never replace each other. */
    static String newUserId(String prefix) {
        return prefix + "-" + USERS.incrementAndGet();
    }

    /** Sets a system property until the end of the test. */
    void setProperty(String key, String value) {
        if (!properties.containsKey(key)) { // putIfAbsent would replace a recorded null
            properties.put(key, System.getProperty(key));
        }
        System.setProperty(key, value);
    }

    /**
     * Configures the default client (keys {@code alo.audio.*}) for a new user of the server.
     *
     * @return the user id
     */
    String configureDefaultClient() {
        String userId = newUserId("cdi-user");
        setProperty("alo.audio.server-uri", server.uri().toString());
        setProperty("alo.audio.media-enabled", "false");
        setProperty("alo.audio.user.id", userId);
        setProperty("alo.audio.user.name", "CDI test user " + userId);
        setProperty("alo.audio.user-auth-token", server.tokens().issue(userId, Duration.ofHours(1)));
        return userId;
    }

    /** Closes {@code resource} after the test, in reverse order of registration. */
    <T extends AutoCloseable> T closeAfterTest(T resource) {
        opened.add(resource);
        return resource;
    }

    /**
     * A Weld SE container with the extension and only the given application classes (no bean discovery); shut down
     * after the test unless the test did.
     */
    SeContainer boot(Class<?>... beanClasses) {
        SeContainer container = initializer(beanClasses).initialize();
        closeAfterTest(() -> {
            if (container.isRunning()) {
                container.close();
            }
        });
        return container;
    }

    static SeContainerInitializer initializer(Class<?>... beanClasses) {
        return SeContainerInitializer.newInstance()
                .disableDiscovery()
                .addBeanClasses(beanClasses)
                .addExtensions(new AloAudioExtension())
                .addProperty("org.jboss.weld.executor.threadPoolType", "FIXED")
                .addProperty("org.jboss.weld.se.shutdownHook", false);
    }

    /** Waits (bounded) until no thread of a client, its dispatcher or its async executor is alive. */
    static void assertNoClientThreadsLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Recording.WAIT_SECONDS);
        while (true) {
            List<Thread> alive = clientThreads();
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (alive.isEmpty() || left <= 0) {
                assertEquals(List.of(), alive.stream().map(Thread::getName).toList(), "client threads left");
                return;
            }
            alive.get(0).join(Math.max(1, left));
        }
    }

    static List<Thread> clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("alo-audio-") && !t.getName().startsWith("alo-audio-server-"))
                .toList();
    }
}
