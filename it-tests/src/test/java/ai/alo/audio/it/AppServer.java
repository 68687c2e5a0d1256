package ai.alo.audio.it;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The application server of this failsafe run, seen through its own management tools: its command-line interface
 * ({@code jboss-cli.sh} for WildFly, {@code asadmin} for Payara) for thread listings and system properties, and its
 * MicroProfile Health endpoint.
 */
abstract class AppServer {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** The server of this run ({@code -Dit.server=wildfly|payara}). */
    static AppServer current() {
        String server = System.getProperty("it.server", "wildfly");
        return "payara".equals(server) ? new Payara() : new WildFly();
    }

    abstract String name();

    /** The HTTP port applications are served on. */
    abstract int httpPort();

    /** The names of every live thread of the server JVM, from the server's own thread dump. */
    abstract List<String> threadNames() throws Exception;

    /** Sets a system property of the server JVM at run time. */
    abstract void setSystemProperty(String key, String value) throws Exception;

    abstract void removeSystemProperty(String key) throws Exception;

    /** The MicroProfile Health readiness endpoint. */
    abstract URI readiness();

    /** The threads of this module still alive in the server: those named {@code alo-audio-...}. */
    List<String> moduleThreads() throws Exception {
        List<String> ours = new ArrayList<>();
        for (String name : threadNames()) {
            if (name.startsWith("alo-audio-")) {
                ours.add(name);
            }
        }
        return ours;
    }

    /** GETs the readiness endpoint: the HTTP status and the JSON body. */
    HttpResponse<String> readinessReport() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(readiness()).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(command + " exited with " + process.exitValue() + ": " + text);
        }
        return text;
    }

    static List<String> all(Pattern pattern, String text) {
        List<String> out = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            out.add(matcher.group(1));
        }
        return out;
    }

    /** WildFly with port offset 100: HTTP 8180, management 10090. */
    static final class WildFly extends AppServer {

        private static final Pattern THREAD_NAME = Pattern.compile("\"thread-name\" => \"([^\"]*)\"");

        private final String home = System.getProperty("jboss.home");

        @Override
        String name() {
            return "wildfly";
        }

        @Override
        int httpPort() {
            return 8180;
        }

        private String cli(String command) throws IOException, InterruptedException {
            return run(List.of(home + File.separator + "bin" + File.separator + "jboss-cli.sh", "--connect",
                    "--controller=remote+http://127.0.0.1:10090", "--command=" + command));
        }

        @Override
        List<String> threadNames() throws Exception {
            return all(THREAD_NAME, cli("/core-service=platform-mbean/type=threading:dump-all-threads("
                    + "locked-monitors=false,locked-synchronizers=false)"));
        }

        @Override
        void setSystemProperty(String key, String value) throws Exception {
            cli("/system-property=" + key + ":add(value=\"" + value + "\")");
        }

        @Override
        void removeSystemProperty(String key) throws Exception {
            cli("/system-property=" + key + ":remove");
        }

        @Override
        URI readiness() {
            return URI.create("http://127.0.0.1:10090/health/ready");
        }
    }

    /** Payara Server, domain1: HTTP 8080, admin 4848. */
    static final class Payara extends AppServer {

        private static final Pattern THREAD_NAME = Pattern.compile("(?m)^Thread \"([^\"]*)\"");

        private final String home = System.getProperty("payara.home");

        @Override
        String name() {
            return "payara";
        }

        @Override
        int httpPort() {
            return 8080;
        }

        private String asadmin(String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(home + File.separator + "bin" + File.separator + "asadmin");
            command.add("--port");
            command.add("4848");
            command.addAll(List.of(args));
            return run(command);
        }

        @Override
        List<String> threadNames() throws Exception {
            return all(THREAD_NAME, asadmin("generate-jvm-report", "--type", "thread"));
        }

        @Override
        void setSystemProperty(String key, String value) throws Exception {
            asadmin("create-system-properties", key + "=" + value.replace(":", "\\:"));
        }

        @Override
        void removeSystemProperty(String key) throws Exception {
            asadmin("delete-system-property", key);
        }

        @Override
        URI readiness() {
            return URI.create("http://127.0.0.1:8080/health/ready");
        }
    }
}
