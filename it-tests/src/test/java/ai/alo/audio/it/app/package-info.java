/**
 * The application deployed to the servers in the integration tests: observers of every AloAudio event that record
 * what they saw and on which kind of thread, probes for JNDI, a transaction and an EJB, and a control servlet the
 * test JVM drives over HTTP. For the class-loader test only: a servlet and an async observer that use the client from
 * server threads the module does not own, and a beacon that leaves a weak reference to the application's class loader
 * for a probe. Nothing here runs in the test JVM.
 */
package ai.alo.audio.it.app;
