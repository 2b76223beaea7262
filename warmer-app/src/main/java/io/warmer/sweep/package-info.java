/** Removing the keys of a family that no row accounts for, once a table's snapshot has reached Redis ({@link io.warmer.sweep.OrphanSweep}). */
package io.warmer.sweep;
