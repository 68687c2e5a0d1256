package ai.alo.audio.it;

import ai.alo.audio.it.app.AudioObservers;
import ai.alo.audio.it.app.ControlServlet;
import ai.alo.audio.it.app.EventLog;
import ai.alo.audio.it.app.MediaEars;
import ai.alo.audio.it.app.MediaServlet;
import ai.alo.audio.it.app.StatelessProbe;
import ai.alo.audio.it.app.TransactionalProbe;
import java.io.File;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Builds the WARs the suites deploy: the application classes of {@code ai.alo.audio.it.app}, the module's jars as
 * {@code WEB-INF/lib} (copied by the build to {@code target/deployment-libs}: our jars and Tyrus, nothing the server
 * provides), a {@code microprofile-config.properties} that points the default client at the reference service in the
 * test JVM, and a {@code beans.xml} of the requested discovery mode, or none.
 *
 * <p>Media WARs ({@link #mediaWar}) are the application a server operator would deploy with media: the same
 * libraries but for {@code alo-audio-rtc} and webrtc-java, which the server provides once for every application (the
 * WildFly module {@value #RTC_MODULE}, named in the WAR's {@code MANIFEST.MF}; on Payara the domain's {@code lib/}),
 * so that the native library is loaded once per server JVM.
 */
final class Deployments {

    /** The WildFly module that holds alo-audio-rtc and webrtc-java (it-tests/src/test/wildfly/modules). */
    static final String RTC_MODULE = "ai.alo.audio.rtc";
    /** The input the media application's default client speaks from: a tone {@link MediaServlet} adds. */
    static final String APP_INPUT = "app-tone";
    /** The output it plays into: {@link MediaEars}. */
    static final String APP_OUTPUT = "app-ears";

    /** How the application declares its bean archive. */
    enum Discovery { ANNOTATED, ALL, NO_BEANS_XML }

    private Deployments() {
    }

    /**
     * A WAR whose default client acts for {@code userId}.
     *
     * @param name      the archive name without {@code .war} (also the context root)
     * @param userId    the user of the default client
     * @param discovery the bean-discovery mode
     * @param extra     further configuration keys
     * @return the archive
     */
    static WebArchive war(String name, String userId, Discovery discovery, Map<String, String> extra) {
        return war(name, userId, ReferenceService.get().uri(), ReferenceService.token(userId), discovery, extra);
    }

    /**
     * A WAR whose default client acts for {@code userId} against another service than {@link ReferenceService}, such
     * as a test kit's service through its fault proxy.
     *
     * @param name      the archive name without {@code .war} (also the context root)
     * @param userId    the user of the default client
     * @param serverUri where the default client connects
     * @param token     the user's token for that service
     * @param discovery the bean-discovery mode
     * @param extra     further configuration keys
     * @return the archive
     */
    static WebArchive war(String name, String userId, URI serverUri, String token, Discovery discovery,
                          Map<String, String> extra) {
        Map<String, String> config = config(name, userId, serverUri, token);
        config.put("alo.audio.media-enabled", "false"); // signalling suites; the media suite overrides it
        // these suites observe one connection's loss and its one event; a suite that proves automatic reconnects
        // on the app server turns them on again through `extra`
        config.put("alo.audio.reconnect.enabled", "false");
        config.putAll(extra);
        return build(name, config, discovery, libraries(false));
    }

    /**
     * A WAR whose default client has media: it speaks from the tone input {@value #APP_INPUT} and plays into {@value
     * #APP_OUTPUT}, both added by {@link MediaServlet} before it connects. It bundles no alo-audio-rtc and no
     * webrtc-java: it depends on the server's (see the class comment).
     *
     * @param name   the archive name without {@code .war} (also the context root)
     * @param userId the user of the default client
     * @return the archive
     */
    static WebArchive mediaWar(String name, String userId) {
        Map<String, String> config = config(name, userId, ReferenceService.get().uri(),
                ReferenceService.token(userId));
        config.put("alo.audio.media-enabled", "true");
        config.put("alo.audio.audio-input-device-id", APP_INPUT);
        config.put("alo.audio.audio-output-device-id", APP_OUTPUT);
        WebArchive war = build(name, config, Discovery.ANNOTATED, libraries(true))
                .addClasses(MediaEars.class, MediaServlet.class);
        // WildFly: the module; Payara ignores the header and finds the classes in the domain's lib/
        war.setManifest(new StringAsset("Manifest-Version: 1.0\nDependencies: " + RTC_MODULE + "\n"));
        return war;
    }

    private static Map<String, String> config(String name, String userId, URI serverUri, String token) {
        Map<String, String> config = new TreeMap<>();
        config.put("alo.audio.server-uri", serverUri.toString());
        config.put("alo.audio.user.id", userId);
        config.put("alo.audio.user.name", "App " + name);
        config.put("alo.audio.user.device-id", name);
        config.put("alo.audio.user-auth-token", token);
        return config;
    }

    private static WebArchive build(String name, Map<String, String> config, Discovery discovery, File[] libraries) {
        StringBuilder properties = new StringBuilder();
        config.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));

        WebArchive war = ShrinkWrap.create(WebArchive.class, name + ".war")
                .addClasses(AudioObservers.class, ControlServlet.class, EventLog.class, StatelessProbe.class,
                        TransactionalProbe.class)
                .addAsResource(new StringAsset(properties.toString()), "META-INF/microprofile-config.properties")
                .addAsLibraries(libraries);
        switch (discovery) {
            case ANNOTATED:
                war.addAsWebInfResource(new StringAsset(beansXml("annotated")), "beans.xml");
                break;
            case ALL:
                war.addAsWebInfResource(new StringAsset(beansXml("all")), "beans.xml");
                break;
            default:
                break;
        }
        return war;
    }

    static WebArchive war(String name, String userId) {
        return war(name, userId, Discovery.ANNOTATED, Map.of());
    }

    /**
     * The jars of {@code WEB-INF/lib}.
     *
     * @param media whether for a media WAR, which leaves out what the server provides (alo-audio-rtc; webrtc-java is
     *              never among the deployment libraries)
     */
    private static File[] libraries(boolean media) {
        File dir = new File(System.getProperty("deployment.libs", "target/deployment-libs"));
        File[] jars = dir.listFiles((d, n) -> n.endsWith(".jar") && !(media && (n.startsWith("alo-audio-rtc-")
                || n.startsWith("webrtc-java-"))));
        if (jars == null || jars.length == 0) {
            throw new IllegalStateException("no jars in " + dir + "; run the build through Maven (pre-integration-test "
                    + "copies them)");
        }
        Arrays.sort(jars);
        return jars;
    }

    private static String beansXml(String mode) {
        return "<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\" bean-discovery-mode=\""
                + mode + "\"/>\n";
    }
}
