/**
 * The per-table snapshot, read in chunks beside the live stream and resumable after a kill: {@link
 * io.warmer.capture.snapshot.TableSnapshots} runs it, {@link io.warmer.capture.snapshot.SnapshotProgress} is what it
 * stores, and {@link io.warmer.capture.snapshot.CompletedSnapshot} is what a finished table reports.
 */
package io.warmer.capture.snapshot;
