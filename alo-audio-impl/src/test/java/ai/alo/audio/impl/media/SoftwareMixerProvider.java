package ai.alo.audio.impl.media;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.spi.MixerProvider;

/**
 * A Java Sound mixer provider for the tests (registered in the test class path's {@code META-INF/services}): this
 * machine has no sound card, so the tests plug {@link SoftwareMixer}s in and out here, and Java Sound's own lookup
 * ({@code AudioSystem.getMixerInfo()}, {@code getMixer}) finds them like any other. It lists nothing unless a test
 * plugged a mixer in, so other tests see the machine as it is.
 */
public final class SoftwareMixerProvider extends MixerProvider {

    private static final List<SoftwareMixer> MIXERS = new CopyOnWriteArrayList<>();

    /** Called by Java Sound's service lookup. */
    public SoftwareMixerProvider() {
    }

    static void plugIn(SoftwareMixer mixer) {
        MIXERS.add(mixer);
    }

    static void unplug(SoftwareMixer mixer) {
        MIXERS.remove(mixer);
    }

    static void unplugAll() {
        MIXERS.clear();
    }

    @Override
    public Mixer.Info[] getMixerInfo() {
        return MIXERS.stream().map(SoftwareMixer::getMixerInfo).toArray(Mixer.Info[]::new);
    }

    @Override
    public Mixer getMixer(Mixer.Info info) {
        for (SoftwareMixer mixer : MIXERS) {
            if (mixer.getMixerInfo() == info) {
                return mixer;
            }
        }
        throw new IllegalArgumentException("no software mixer " + info);
    }
}
