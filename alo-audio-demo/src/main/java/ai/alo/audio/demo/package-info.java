/**
 * The demo: a Weld SE application that injects {@link ai.alo.audio.AloAudio} and observes its CDI events. Not part
 * of the published artifacts.
 */
package ai.alo.audio.demo;
