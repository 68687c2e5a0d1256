package ai.alo.audio.impl.ws;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The scheduled executor Tyrus sessions see: the runtime's timer, minus one waste. Tyrus 2.1 schedules its
 * idle-timeout check on every message sent or received, with a delay of 0 when no idle timeout is set (this module
 * never sets one: liveness is the protocol's heartbeat), and that check then does nothing. At thousands of connections
 * that is thousands of empty timer tasks a second; they are answered with an already-done future instead. Every other
 * task goes to the timer unchanged. Shutting it down is the runtime's business, so the shutdown methods do nothing.
 */
final class SessionScheduler implements ScheduledExecutorService {

    private static final String IDLE_TIMEOUT_COMMAND = "org.glassfish.tyrus.core.TyrusSession$IdleTimeoutCommand";

    private final ScheduledExecutorService timer;

    SessionScheduler(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (delay <= 0 && IDLE_TIMEOUT_COMMAND.equals(command.getClass().getName())) {
            return DoneFuture.INSTANCE;
        }
        return timer.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return timer.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return timer.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                     TimeUnit unit) {
        return timer.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
        // the runtime owns the timer
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return timer.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return timer.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return timer.awaitTermination(timeout, unit);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return timer.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return timer.submit(task, result);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return timer.submit(task);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return timer.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return timer.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
            throws InterruptedException, ExecutionException {
        return timer.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return timer.invokeAny(tasks, timeout, unit);
    }

    @Override
    public void execute(Runnable command) {
        timer.execute(command);
    }

    /** A future that is already done: the skipped task would have done nothing. */
    private static final class DoneFuture implements ScheduledFuture<Object> {

        static final DoneFuture INSTANCE = new DoneFuture();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
