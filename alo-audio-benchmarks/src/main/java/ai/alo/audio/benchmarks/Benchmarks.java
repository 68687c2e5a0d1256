package ai.alo.audio.benchmarks;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The command line of the benchmarks, one benchmark per JVM (each needs its own JVM flags: {@code -Xmx1g} for the
 * clients-per-JVM runs, {@code -XX:ActiveProcessorCount=16} for one of the disconnect runs). {@code bin/benchmark}
 * builds the module and runs them; this prints one benchmark's Markdown section and writes it to {@code --output}.
 *
 * <pre>
 * java -cp ... ai.alo.audio.benchmarks.Benchmarks scale|soak|disconnect [options]   (--help for each)
 * </pre>
 *
 * <p>Exit status 0 when the benchmark ran (whatever its verdicts; they are in the report), 1 when it failed to run,
 * 2 for a bad command line.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * Runs one benchmark.
     *
     * @param argv the benchmark's name, then its options
     */
    public static void main(String[] argv) {
        if (argv.length == 0) {
            System.err.println("usage: Benchmarks scale|soak|disconnect [options]  (--help for each)");
            System.exit(2);
            return;
        }
        String name = argv[0];
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        PrintStream progress = System.err;
        try {
            Args args;
            switch (name) {
                case "scale" -> args = ScaleBenchmark.args();
                case "soak" -> args = SoakBenchmark.args();
                case "disconnect" -> args = DisconnectBenchmark.args();
                default -> {
                    System.err.println("unknown benchmark '" + name + "'; use scale, soak or disconnect");
                    System.exit(2);
                    return;
                }
            }
            try {
                args.parse(rest);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                System.exit(e.getMessage().startsWith("unknown") || e.getMessage().contains("needs") ? 2 : 0);
                return;
            }
            RunInfo info = new RunInfo();
            String markdown;
            switch (name) {
                case "scale" -> {
                    ScaleBenchmark.Result result = ScaleBenchmark.run(args, progress);
                    info.finish();
                    markdown = ScaleBenchmark.markdown(result, info);
                }
                case "soak" -> {
                    SoakBenchmark.Result result = SoakBenchmark.run(args, progress);
                    info.finish();
                    markdown = SoakBenchmark.markdown(result, info);
                }
                default -> {
                    DisconnectBenchmark.Result result = DisconnectBenchmark.run(args, progress);
                    info.finish();
                    markdown = DisconnectBenchmark.markdown(result, info);
                }
            }
            System.out.println(markdown);
            Path output = Path.of(args.string("output")).toAbsolutePath();
            Files.createDirectories(output.getParent());
            Files.writeString(output, markdown, StandardCharsets.UTF_8);
            progress.println("Report written to " + output);
            System.exit(0);
        } catch (Throwable e) {
            progress.println("benchmark " + name + " FAILED: " + e);
            e.printStackTrace(progress);
            System.exit(1);
        }
    }
}
