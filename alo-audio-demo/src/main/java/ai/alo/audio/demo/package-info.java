/**
 * The demo: a Weld SE application that injects {@link ai.alo.audio.AloAudio}, speaks a tone into a channel of the
 * embedded reference audio service, and observes its CDI events; a second client records what it hears, and the demo
 * analyses it (frequency and level) with a few lines of its own ({@code Ears}). Not part of the published artifacts.
 */
package ai.alo.audio.demo;
