/**
 * The long-lived probe deployment of the class-loader test: it holds nothing of the applications it watches, only
 * reads the weak references they leave in the system properties, runs the garbage collector and says whether their
 * class loaders were collected, and what still holds one when not. Nothing here runs in the test JVM.
 */
package ai.alo.audio.it.probe;
