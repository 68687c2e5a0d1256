package ai.alo.audio.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The benchmark's command line. Every count is per client (ours and the bare Tyrus twin each run that many).
 */
final class BenchmarkOptions {

    /** The scenarios that can be selected with {@code --scenarios}. */
    static final Set<String> SCENARIOS = Set.of("disconnect", "reset", "kill");

    int disconnectIterations = 1000;
    int disconnectWarmup = 200;
    int resetIterations = 200;
    int resetWarmup = 50;
    int killIterations = 15;
    int killWarmup = 2;
    int phaseIterations = 200;
    int phaseWarmup = 50;
    long settleMillis = 5;
    long killSettleMillis = 300;
    boolean logInfo;
    boolean quick;
    Set<String> scenarios = SCENARIOS;
    List<String> serverJvmArgs = new ArrayList<>(List.of("-Xms128m", "-Xmx128m"));
    Path output = Path.of("alo-audio-benchmarks", "target", "benchmark-results.md");

    static final String USAGE = String.join("\n",
            "Usage: DisconnectBenchmark [options]",
            "  --quick                    few iterations (200/50/5 measured), for a quick look",
            "  --disconnect N             measured disconnect iterations per client (default 1000)",
            "  --disconnect-warmup N      warm-up disconnect iterations per client (default 200)",
            "  --reset N                  measured server-reset iterations per client (default 200)",
            "  --reset-warmup N           (default 50)",
            "  --kill N                   measured SIGKILL iterations per client, one server process each (default 15)",
            "  --kill-warmup N            (default 2)",
            "  --phases N                 measured iterations of the phase breakdown of disconnect() (default 200;"
                    + " 0 = off)",
            "  --phases-warmup N          (default 50)",
            "  --scenarios a,b            any of disconnect,reset,kill (default all)",
            "  --settle-ms N              pause after each connect before the measured call (default 5)",
            "  --kill-settle-ms N         pause after connecting to a fresh server process before SIGKILL (default 300)",
            "  --server-jvm-args \"...\"    JVM options of the server process (default \"-Xms128m -Xmx128m\")",
            "  --log-info                 keep INFO logging of the client and server (default: WARNING and above)",
            "  --output FILE              the Markdown report (default alo-audio-benchmarks/target/"
                    + "benchmark-results.md)");

    static BenchmarkOptions parse(String... args) {
        BenchmarkOptions o = new BenchmarkOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> {
                    o.quick = true;
                    o.disconnectIterations = 200;
                    o.disconnectWarmup = 100;
                    o.resetIterations = 50;
                    o.resetWarmup = 20;
                    o.killIterations = 5;
                    o.killWarmup = 1;
                    o.phaseIterations = 100;
                    o.phaseWarmup = 30;
                }
                case "--disconnect" -> o.disconnectIterations = count(args, ++i, arg, 1);
                case "--disconnect-warmup" -> o.disconnectWarmup = count(args, ++i, arg, 0);
                case "--reset" -> o.resetIterations = count(args, ++i, arg, 1);
                case "--reset-warmup" -> o.resetWarmup = count(args, ++i, arg, 0);
                case "--kill" -> o.killIterations = count(args, ++i, arg, 1);
                case "--kill-warmup" -> o.killWarmup = count(args, ++i, arg, 0);
                case "--phases" -> o.phaseIterations = count(args, ++i, arg, 0);
                case "--phases-warmup" -> o.phaseWarmup = count(args, ++i, arg, 0);
                case "--settle-ms" -> o.settleMillis = count(args, ++i, arg, 0);
                case "--kill-settle-ms" -> o.killSettleMillis = count(args, ++i, arg, 0);
                case "--server-jvm-args" -> o.serverJvmArgs = new ArrayList<>(
                        Arrays.asList(value(args, ++i, arg).trim().split("\\s+")));
                case "--log-info" -> o.logInfo = true;
                case "--scenarios" -> {
                    List<String> chosen = Arrays.asList(value(args, ++i, arg).toLowerCase(Locale.ROOT).split(","));
                    for (String s : chosen) {
                        if (!SCENARIOS.contains(s)) {
                            throw new IllegalArgumentException("unknown scenario '" + s + "'; use " + SCENARIOS);
                        }
                    }
                    o.scenarios = Set.copyOf(chosen);
                }
                case "--output" -> o.output = Path.of(value(args, ++i, arg));
                case "--help", "-h" -> throw new IllegalArgumentException("");
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        o.serverJvmArgs.removeIf(String::isEmpty);
        return o;
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int count(String[] args, int index, String option, int min) {
        int n;
        try {
            n = Integer.parseInt(value(args, index, option));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number", e);
        }
        if (n < min) {
            throw new IllegalArgumentException(option + " must be at least " + min);
        }
        return n;
    }
}
