/**
 * The application deployed to the servers in the integration tests: observers of every AloAudio event that record
 * what they saw and on which kind of thread, probes for JNDI, a transaction and an EJB, and a control servlet the
 * test JVM drives over HTTP. Nothing here runs in the test JVM.
 */
package ai.alo.audio.it.app;
