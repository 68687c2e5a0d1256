package ai.alo.audio.testing;

/**
 * Chromium could not be started, driven or stopped as asked: it is not installed, it did not start in time, a
 * DevTools call failed or timed out, or a page's JavaScript threw. The message says which and, where it helps, ends
 * with the last lines of Chromium's own output. Page addresses in messages never include their {@code #fragment}
 * (which may hold a test token).
 */
public class ChromiumException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     */
    public ChromiumException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause   the underlying failure
     */
    public ChromiumException(String message, Throwable cause) {
        super(message, cause);
    }
}
