package ai.alo.audio.server;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one lock over the server's shared state: the {@link SessionRegistry}, the {@link ChannelRegistry} and the
 * fields of every {@link ClientSession} marked "guarded by the state lock". A locked section decides what happens and
 * records the consequences in an {@link Effects}, which runs after the lock is released; so no send, close, log line
 * or listener callback ever happens under the lock. Sections are short: a join or a leave is O(1) work plus one queued
 * message per other member; encoding roster pages happens later, outside the lock. A {@code ping} takes no lock.
 */
final class StateLock {

    private final ReentrantLock lock = new ReentrantLock();
    private final Listeners listeners;

    StateLock(Listeners listeners) {
        this.listeners = listeners;
    }

    /** Runs a section under the lock, then its effects without it. */
    void run(Consumer<Effects> section) {
        Effects fx = new Effects(listeners);
        lock.lock();
        try {
            section.accept(fx);
        } finally {
            lock.unlock();
        }
        fx.run();
    }

    /** Runs a section under the lock, then its effects without it, and returns the section's result. */
    <T> T apply(Function<Effects, T> section) {
        Effects fx = new Effects(listeners);
        T result;
        lock.lock();
        try {
            result = section.apply(fx);
        } finally {
            lock.unlock();
        }
        fx.run();
        return result;
    }

    /** Reads under the lock; nothing to run afterwards. */
    <T> T read(Supplier<T> reader) {
        lock.lock();
        try {
            return reader.get();
        } finally {
            lock.unlock();
        }
    }
}
