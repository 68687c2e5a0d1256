package ai.alo.audio.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * A growing list of latencies in nanoseconds ({@link System#nanoTime()} deltas) with nearest-rank percentiles. Not
 * thread-safe: each scenario records from its driving thread.
 */
final class Samples {

    private final String label;
    private long[] values = new long[64];
    private int size;

    Samples(String label) {
        this.label = label;
    }

    /** With room for {@code capacity} samples allocated up front (no growth while measuring). */
    Samples(String label, int capacity) {
        this.label = label;
        this.values = new long[Math.max(1, capacity)];
    }

    /** Count, p50, p99 and max, without the samples. */
    record Summary(int count, long p50, long p99, long max) {
    }

    Summary summary() {
        return new Summary(size, p50(), p99(), max());
    }

    String label() {
        return label;
    }

    void add(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException(label + ": negative latency " + nanos + " ns");
        }
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    void clear() {
        size = 0;
    }

    long get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return values[index];
    }

    int count() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * The nearest-rank percentile: the smallest sample that is at least {@code p} percent of the samples.
     *
     * @param p the percentile, 0 &lt; p &lt;= 100
     * @return the sample in nanoseconds; {@code -1} when there is none
     */
    long percentile(double p) {
        if (size == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size, rank) - 1)];
    }

    long p50() {
        return percentile(50);
    }

    long p90() {
        return percentile(90);
    }

    long p99() {
        return percentile(99);
    }

    long max() {
        return percentile(100);
    }

    long min() {
        if (size == 0) {
            return -1;
        }
        long min = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            min = Math.min(min, values[i]);
        }
        return min;
    }

    double mean() {
        if (size == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return sum / size;
    }

    /** Milliseconds with two decimals, or {@code -} for no data. */
    static String ms(long nanos) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.2f", nanos / 1_000_000.0);
    }

    /** Milliseconds with three decimals, for sub-millisecond phases. */
    static String ms3(double nanos) {
        return Double.isNaN(nanos) || nanos < 0 ? "-" : String.format(Locale.ROOT, "%.3f", nanos / 1_000_000.0);
    }

    /** A ratio with two decimals followed by {@code x}, or {@code -} when either side is missing. */
    static String ratio(long ours, long bare) {
        return ours < 0 || bare <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", (double) ours / bare);
    }

    static double ratioValue(long ours, long bare) {
        return ours < 0 || bare <= 0 ? Double.NaN : (double) ours / bare;
    }
}
