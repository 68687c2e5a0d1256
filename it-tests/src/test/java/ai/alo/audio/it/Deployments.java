package ai.alo.audio.it;

import ai.alo.audio.it.app.AudioObservers;
import ai.alo.audio.it.app.ControlServlet;
import ai.alo.audio.it.app.EventLog;
import ai.alo.audio.it.app.StatelessProbe;
import ai.alo.audio.it.app.TransactionalProbe;
import java.io.File;
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
 */
final class Deployments {

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
        Map<String, String> config = new TreeMap<>();
        config.put("alo.audio.server-uri", ReferenceService.get().uri().toString());
        config.put("alo.audio.user.id", userId);
        config.put("alo.audio.user.name", "App " + name);
        config.put("alo.audio.user.device-id", name);
        config.put("alo.audio.user-auth-token", ReferenceService.token(userId));
        config.putAll(extra);
        StringBuilder properties = new StringBuilder();
        config.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));

        WebArchive war = ShrinkWrap.create(WebArchive.class, name + ".war")
                .addClasses(AudioObservers.class, ControlServlet.class, EventLog.class, StatelessProbe.class,
                        TransactionalProbe.class)
                .addAsResource(new StringAsset(properties.toString()), "META-INF/microprofile-config.properties")
                .addAsLibraries(libraries());
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

    private static File[] libraries() {
        File dir = new File(System.getProperty("deployment.libs", "target/deployment-libs"));
        File[] jars = dir.listFiles((d, n) -> n.endsWith(".jar"));
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
