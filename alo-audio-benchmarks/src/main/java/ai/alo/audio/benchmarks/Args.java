package ai.alo.audio.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A benchmark's command line: {@code --name value} options and {@code --flag}s, each known in advance with its default
 * and a line of help. Unknown options are an error, so that a typo never silently runs with the defaults.
 */
final class Args {

    private record Option(String name, String defaultValue, boolean flag, String help) {
    }

    private final String usage;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String usage) {
        this.usage = usage;
        flag("help", "this text");
    }

    Args option(String name, Object defaultValue, String help) {
        options.put(name, new Option(name, String.valueOf(defaultValue), false, help));
        return this;
    }

    Args flag(String name, String help) {
        options.put(name, new Option(name, "false", true, help));
        return this;
    }

    /**
     * Parses the command line.
     *
     * @param args the arguments
     * @return this
     * @throws IllegalArgumentException for an unknown option or a missing value; with an empty message for --help
     */
    Args parse(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || !options.containsKey(arg.substring(2))) {
                throw new IllegalArgumentException("unknown option " + arg + "\n" + help());
            }
            Option option = options.get(arg.substring(2));
            if (option.flag()) {
                values.put(option.name(), "true");
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value\n" + help());
                }
                values.put(option.name(), args[++i]);
            }
        }
        if (flag("help")) {
            throw new IllegalArgumentException(help());
        }
        return this;
    }

    /** Sets a value unless the command line gave one (for presets such as {@code --quick}). */
    Args preset(String name, Object value) {
        if (!options.containsKey(name)) {
            throw new IllegalArgumentException("no option " + name);
        }
        values.putIfAbsent(name, String.valueOf(value));
        return this;
    }

    String string(String name) {
        Option option = options.get(name);
        if (option == null) {
            throw new IllegalArgumentException("no option " + name);
        }
        return values.getOrDefault(name, option.defaultValue());
    }

    int integer(String name, int min) {
        int value;
        try {
            value = Integer.parseInt(string(name).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a whole number, was " + string(name), e);
        }
        if (value < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    List<Integer> integers(String name, int min) {
        List<Integer> list = new ArrayList<>();
        for (String part : string(name).split(",")) {
            int value = Integer.parseInt(part.trim().replace("_", ""));
            if (value < min) {
                throw new IllegalArgumentException("--" + name + " values must be at least " + min);
            }
            list.add(value);
        }
        return list;
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(string(name));
    }

    List<String> words(String name) {
        String value = string(name).trim();
        return value.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(value.split("\\s+")));
    }

    Set<String> given() {
        return values.keySet();
    }

    String help() {
        StringBuilder text = new StringBuilder(usage).append('\n');
        for (Option option : options.values()) {
            String left = "  --" + option.name() + (option.flag() ? "" : " <v>");
            text.append(String.format("%-30s %s%s%n", left, option.help(),
                    option.flag() || option.defaultValue().isEmpty() ? "" : " (default " + option.defaultValue()
                            + ")"));
        }
        return text.toString();
    }
}
