package io.kubundle.api.runtime;

/** A container's state, as CRI's. */
public enum ContainerState {
    /** Made, not started. */
    CREATED,
    /** Its process runs. */
    RUNNING,
    /** Its process ended (or never started): see the exit code and reason. */
    EXITED,
    /** The runtime cannot tell (its state on disk is damaged, say). */
    UNKNOWN
}
