/** Threads of Warmer's own: {@link io.warmer.concurrent.DaemonThreads}, the one way its background threads are made. */
package io.warmer.concurrent;
