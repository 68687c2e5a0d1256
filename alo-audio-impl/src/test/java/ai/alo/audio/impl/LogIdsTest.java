package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every stable log message id ({@code ALOAUD-nnnn}, {@code ALOSRV-nnnn}) is used at exactly one call site in the
 * main sources of the whole project, so that an id found in a log points at one line of code.
 */
class LogIdsTest {

    private static final Pattern ID = Pattern.compile("\"(ALO(?:AUD|SRV)-\\d{4})\\b");

    @Test
    void everyLogId_isUsedAtExactlyOneCallSite() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.exists(root.resolve("message-ranges.txt")), "project root not found from " + root);
        Map<String, List<String>> sites = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/"))
                    .filter(p -> !p.toString().contains("/target/")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = ID.matcher(lines.get(i));
                    while (m.find()) {
                        sites.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                                .add(root.relativize(file) + ":" + (i + 1));
                    }
                }
            }
        }
        assertTrue(sites.size() > 20, "found the log ids: " + sites.keySet());
        Map<String, List<String>> duplicated = new TreeMap<>();
        sites.forEach((id, where) -> {
            if (where.size() > 1) {
                duplicated.put(id, where);
            }
        });
        assertEquals(Map.of(), duplicated, "log ids used at more than one call site");
    }
}
