package ai.alo.audio.impl;

import ai.alo.audio.Participant;
import ai.alo.audio.ParticipantRoster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The participants of one joined channel, kept so that a join or a leave costs O(1) (amortized) and every change can
 * hand out an immutable {@link ParticipantRoster} snapshot without copying the channel.
 *
 * <p>Entries are appended in join order and never moved; an entry records the version at which its participant
 * joined and, once gone, the version at which it left. A snapshot is (the entry array, its length, a version): it lists
 * the entries that had joined and not yet left at its version, and builds that list only when asked. When more than
 * half of the entries are gone, the live ones are copied to a new array (amortized O(1) per change); snapshots keep
 * the array they were taken from.
 *
 * <p>Mutated under the client's state lock only; snapshots are read from any thread (an entry's leave version is
 * volatile, and a snapshot is published through the client's event queue).
 */
final class RosterLog {

    private Entry[] entries = new Entry[16];
    private int length;
    private final Map<String, Entry> live = new HashMap<>();
    private long version;
    private int gone;

    /**
     * Adds a participant (or replaces one with the same connection id).
     *
     * @param participant the participant
     * @return the participant it replaced, or null
     */
    Participant add(Participant participant) {
        Participant replaced = remove(participant.connectionId());
        if (length == entries.length) {
            grow();
        }
        Entry entry = new Entry(participant, ++version);
        entries[length++] = entry;
        live.put(participant.connectionId(), entry);
        return replaced;
    }

    /**
     * Removes a participant.
     *
     * @param connectionId its connection id
     * @return the participant, or null when it was not in the roster
     */
    Participant remove(String connectionId) {
        Entry entry = live.remove(connectionId);
        if (entry == null) {
            return null;
        }
        entry.leftAt = ++version;
        gone++;
        return entry.participant;
    }

    /**
     * The participant with a connection id.
     *
     * @param connectionId the connection id
     * @return the participant, or null
     */
    Participant get(String connectionId) {
        Entry entry = live.get(connectionId);
        return entry == null ? null : entry.participant;
    }

    int size() {
        return live.size();
    }

    /**
     * An immutable snapshot of the roster as it is now. O(1).
     *
     * @return the snapshot
     */
    ParticipantRoster snapshot() {
        return new Snapshot(entries, length, version, live.size());
    }

    private void grow() {
        if (gone > 16 && gone * 2 > length) {
            // compact: a new array holds the live entries; older snapshots keep the old one
            Entry[] compacted = new Entry[Math.max(16, live.size() * 2)];
            int n = 0;
            for (int i = 0; i < length; i++) {
                if (entries[i].leftAt == Long.MAX_VALUE) {
                    compacted[n++] = entries[i];
                }
            }
            entries = compacted;
            length = n;
            gone = 0;
        } else {
            Entry[] bigger = new Entry[entries.length * 2];
            System.arraycopy(entries, 0, bigger, 0, length);
            entries = bigger;
        }
    }

    /** One participant's stay in the channel. */
    private static final class Entry {
        final Participant participant;
        final long joinedAt;
        volatile long leftAt = Long.MAX_VALUE;

        Entry(Participant participant, long joinedAt) {
            this.participant = participant;
            this.joinedAt = joinedAt;
        }
    }

    /** The roster at one version. */
    private static final class Snapshot implements ParticipantRoster {

        private final Entry[] entries;
        private final int length;
        private final long version;
        private final int size;
        private volatile List<Participant> list;

        Snapshot(Entry[] entries, int length, long version, int size) {
            this.entries = entries;
            this.length = length;
            this.version = version;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public List<Participant> list() {
            List<Participant> result = list;
            if (result == null) {
                List<Participant> built = new ArrayList<>(size);
                for (int i = 0; i < length; i++) {
                    Entry entry = entries[i];
                    if (entry.joinedAt <= version && entry.leftAt > version) {
                        built.add(entry.participant);
                    }
                }
                result = List.copyOf(built);
                list = result;
            }
            return result;
        }

        @Override
        public String toString() {
            return "ParticipantRoster[size=" + size + "]";
        }
    }
}
