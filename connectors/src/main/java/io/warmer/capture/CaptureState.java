package io.warmer.capture;

/** Where a {@link PostgresCapture} is in its life; transitions only go forward. */
public enum CaptureState {
    /** Created, nothing checked or started yet. */
    CREATED,
    /** Checking the database and creating topics. */
    STARTING,
    /** The engine runs: snapshotting first, then streaming. */
    RUNNING,
    /** Stop requested; the engine is flushing its offsets. */
    STOPPING,
    /** Stopped cleanly. */
    STOPPED,
    /** Stopped on an error; see {@link PostgresCapture#failure()}. */
    FAILED
}
