package io.kubundle.kubelet.internal;

import io.kubundle.api.runtime.ContainerStatus;

/**
 * What the kubelet knows of one container of a pod when it reports the pod's status.
 *
 * @param name the container's name in the spec
 * @param image the image the spec asks for
 * @param latest the runtime's newest container for it, or {@code null} if none was made
 * @param previous the one before, or {@code null}
 * @param waiting why the kubelet is not (re)starting it now ({@code CrashLoopBackOff},
 *        {@code ErrImagePull}, ...), or {@code null}
 * @param ready whether its readiness probe (if any) passes
 * @param started whether its startup probe (if any) passed
 */
record ContainerView(String name, String image, ContainerStatus latest, ContainerStatus previous, Waiting waiting, boolean ready,
        boolean started) {

    /** A waiting reason and message, as {@code kubectl describe} shows them. */
    record Waiting(String reason, String message) { }
}
