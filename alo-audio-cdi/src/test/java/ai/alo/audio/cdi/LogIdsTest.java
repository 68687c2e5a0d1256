package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The log lines of this module, read from its sources: every INFO-or-higher line starts with an id of the module's
 * range ({@code ALOAUD-3000} to {@code ALOAUD-3999}), each id is used at exactly one call site, and the package
 * documentation lists each one.
 */
class LogIdsTest {

    /** Maven runs the tests in the module's directory. */
    private static final Path SOURCES = Path.of("src/main/java/ai/alo/audio/cdi");
    private static final Pattern LOUD_CALL = Pattern.compile("\\.log\\(\\s*Level\\.(INFO|WARNING|ERROR)\\s*,");
    private static final Pattern ID_LITERAL = Pattern.compile("\"(ALOAUD-\\d{4})\\b");

    @Test
    void everyLoudLogLine_hasAnIdOfTheModule_usedAtExactlyOneCallSite_andDocumented() throws IOException {
        Map<String, List<String>> sites = new TreeMap<>();
        List<String> withoutId = new ArrayList<>();
        for (Path file : sources()) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Matcher call = LOUD_CALL.matcher(text);
            while (call.find()) {
                String site = file.getFileName() + ":" + line(text, call.start());
                // the message is the next string literal of the call
                Matcher id = ID_LITERAL.matcher(text);
                int literal = text.indexOf('"', call.end());
                if (literal >= 0 && id.find(literal) && id.start() == literal) {
                    sites.computeIfAbsent(id.group(1), k -> new ArrayList<>()).add(site);
                } else {
                    withoutId.add(site);
                }
            }
        }
        assertFalse(sites.isEmpty(), "found no log call in " + SOURCES.toAbsolutePath());
        assertEquals(List.of(), withoutId, "INFO+ log lines without an id");
        String documented = Files.readString(SOURCES.resolve("package-info.java"), StandardCharsets.UTF_8);
        for (Map.Entry<String, List<String>> id : sites.entrySet()) {
            int number = Integer.parseInt(id.getKey().substring("ALOAUD-".length()));
            assertTrue(number >= 3000 && number <= 3999, id + " is outside the CDI range");
            assertEquals(1, id.getValue().size(), id.getKey() + " is used at more than one call site: "
                    + id.getValue());
            assertTrue(documented.contains(String.valueOf(number)), id.getKey() + " is not listed in package-info");
        }
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static int line(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
