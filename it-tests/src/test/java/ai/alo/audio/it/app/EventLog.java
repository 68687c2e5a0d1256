package ai.alo.audio.it.app;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the application's observers saw, one line per observation, in order. */
@ApplicationScoped
public class EventLog {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    public void add(String line) {
        lines.add(line);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public void clear() {
        lines.clear();
    }
}
