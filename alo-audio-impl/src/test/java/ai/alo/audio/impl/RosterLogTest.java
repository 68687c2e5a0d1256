package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.alo.audio.Participant;
import ai.alo.audio.ParticipantRoster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The roster's snapshots are immutable and exact, whatever happens after them, compactions included. */
class RosterLogTest {

    @Test
    void snapshots_matchAReferenceAtEveryPoint_acrossThousandsOfChangesAndCompactions() {
        RosterLog roster = new RosterLog();
        Map<String, Participant> reference = new LinkedHashMap<>();
        List<ParticipantRoster> snapshots = new ArrayList<>();
        List<List<Participant>> expected = new ArrayList<>();
        Random random = new Random(42);
        int next = 0;
        for (int step = 0; step < 20_000; step++) {
            if (reference.isEmpty() || random.nextInt(100) < 55) {
                Participant p = new Participant("p-" + next, "u-" + next, "User " + next, random.nextBoolean());
                next++;
                assertNull(roster.add(p));
                reference.put(p.connectionId(), p);
            } else {
                List<String> ids = new ArrayList<>(reference.keySet());
                String gone = ids.get(random.nextInt(ids.size()));
                assertEquals(reference.remove(gone), roster.remove(gone));
            }
            assertEquals(reference.size(), roster.size());
            if (step % 97 == 0) {
                snapshots.add(roster.snapshot());
                expected.add(List.copyOf(reference.values()));
            }
        }
        // every snapshot is read only now, long after it was taken
        for (int i = 0; i < snapshots.size(); i++) {
            assertEquals(expected.get(i), snapshots.get(i).list(), "snapshot " + i);
            assertEquals(expected.get(i).size(), snapshots.get(i).size());
        }
        assertEquals(List.copyOf(reference.values()), roster.snapshot().list());
    }

    @Test
    void add_sameConnectionId_replacesAndMovesToTheEnd() {
        RosterLog roster = new RosterLog();
        Participant ann = new Participant("p-1", "u-1", "Ann", true);
        Participant bob = new Participant("p-2", "u-2", "Bob", true);
        roster.add(ann);
        roster.add(bob);
        Participant annUnmuted = new Participant("p-1", "u-1", "Ann", false);

        assertSame(ann, roster.add(annUnmuted));

        assertEquals(List.of(bob, annUnmuted), roster.snapshot().list());
        assertNull(roster.remove("p-9"));
    }

    @Test
    void snapshot_listIsBuiltOnceAndImmutable() {
        RosterLog roster = new RosterLog();
        roster.add(new Participant("p-1", "u-1", "Ann", true));
        ParticipantRoster snapshot = roster.snapshot();
        List<Participant> first = snapshot.list();
        assertSame(first, snapshot.list());
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> first.clear());
    }
}
