package ai.alo.audio.impl.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed bucket bounds in milliseconds, cheap to record from any thread.
 *
 * <p>Thread-safe.
 */
public final class Histogram {

    /** The upper bounds of the buckets, in milliseconds; a last bucket holds everything above. */
    public static final double[] BOUNDS_MS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};

    private final LongAdder[] buckets = new LongAdder[BOUNDS_MS.length + 1];
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    /** Creates an empty histogram. */
    public Histogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /**
     * Records one value.
     *
     * @param nanos the value in nanoseconds
     */
    public void record(long nanos) {
        double millis = nanos / 1_000_000.0;
        int i = 0;
        while (i < BOUNDS_MS.length && millis > BOUNDS_MS[i]) {
            i++;
        }
        buckets[i].increment();
        count.increment();
        sumNanos.add(nanos);
    }

    /**
     * How many values were recorded.
     *
     * @return the count
     */
    public long count() {
        return count.sum();
    }

    /**
     * The sum of the recorded values.
     *
     * @return milliseconds
     */
    public double sumMillis() {
        return sumNanos.sum() / 1_000_000.0;
    }

    /**
     * The counts per bucket (not cumulative), the last one above the largest bound.
     *
     * @return a new array
     */
    public long[] bucketCounts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    /**
     * An upper estimate of a quantile: the bound of the bucket that holds it.
     *
     * @param quantile between 0 and 1
     * @return milliseconds, or {@code Double.POSITIVE_INFINITY} when it falls in the last bucket, NaN when empty
     */
    public double quantileUpperBoundMillis(double quantile) {
        long[] counts = bucketCounts();
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i < BOUNDS_MS.length ? BOUNDS_MS[i] : Double.POSITIVE_INFINITY;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    @Override
    public String toString() {
        return "Histogram[count=" + count() + ", meanMs=" + (count() == 0 ? 0 : sumMillis() / count()) + "]";
    }
}
