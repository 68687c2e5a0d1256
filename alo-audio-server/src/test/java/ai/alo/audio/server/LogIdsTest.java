package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every log message id of the server ({@code "ALOSRV-5xxx ...} in a string literal) is used at one call site. */
class LogIdsTest {

    private static final Pattern ID = Pattern.compile("\"ALOSRV-(\\d{4}) ");

    @Test
    void logIds_inTheServerSources_areEachUsedOnce() throws IOException {
        Path sources = Path.of("src", "main", "java");
        assertTrue(Files.isDirectory(sources),
                () -> "run from the module directory, not " + Path.of("").toAbsolutePath());
        Map<String, Integer> uses = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            Matcher matcher = ID.matcher(Files.readString(file));
            while (matcher.find()) {
                uses.merge(matcher.group(1), 1, Integer::sum);
            }
        }
        assertFalse(uses.isEmpty(), "no ids found");
        Map<String, Integer> repeated = new TreeMap<>(uses);
        repeated.values().removeIf(count -> count == 1);
        assertTrue(repeated.isEmpty(), () -> "ids used more than once: " + repeated);
        assertTrue(uses.keySet().stream().allMatch(id -> id.startsWith("5")), () -> "outside 5000-5999: " + uses);
    }
}
