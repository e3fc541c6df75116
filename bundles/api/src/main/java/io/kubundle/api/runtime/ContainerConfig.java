package io.kubundle.api.runtime;

import java.util.List;
import java.util.Map;

/**
 * What a container is made from; the kubelet has resolved everything Kubernetes-specific
 * (environment references, volume sources, {@code $(VAR)} expansion) into plain values.
 *
 * @param name the container's name in its pod
 * @param attempt how many times it ran before in this pod (its restart count)
 * @param image the image, as the {@link ImageService} resolves it (a name or an image id)
 * @param command the entrypoint, or empty to keep the image's
 * @param args the arguments, or empty to keep the image's command (when {@code command} is
 *        empty too)
 * @param workingDir the working directory, or {@code null} for the image's
 * @param env variables in order, added to (and overriding) the image's
 * @param mounts host paths bind-mounted into the container, in order
 * @param logPath the file that receives the container's output in the CRI log format
 * @param resources requests and limits
 * @param security user, group and read-only root file system
 * @param stdin whether the container's stdin stays open ({@code stdin: true} in the pod), so that
 *        {@link ContainerRuntime#attach attaches} can write to it
 * @param stdinOnce whether its stdin is closed (end-of-file) when the first attach that wrote to it
 *        ends ({@code stdinOnce: true}, as {@code kubectl run -i} sets it); only with {@code stdin}
 * @param tty whether it gets a terminal
 * @param labels kept with the container and returned in its status
 * @param annotations kept likewise
 */
public record ContainerConfig(String name, int attempt, String image, List<String> command, List<String> args,
        String workingDir, List<EnvVar> env, List<Mount> mounts, String logPath, Resources resources,
        Security security, boolean stdin, boolean stdinOnce, boolean tty, Map<String, String> labels,
        Map<String, String> annotations) {
    public ContainerConfig {
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    /** A config whose stdin, if open, stays open ({@code stdinOnce} false): the 1.0 constructor. */
    public ContainerConfig(String name, int attempt, String image, List<String> command, List<String> args,
            String workingDir, List<EnvVar> env, List<Mount> mounts, String logPath, Resources resources,
            Security security, boolean stdin, boolean tty, Map<String, String> labels, Map<String, String> annotations) {
        this(name, attempt, image, command, args, workingDir, env, mounts, logPath, resources, security, stdin, false, tty,
                labels, annotations);
    }

    /** An environment variable. */
    public record EnvVar(String name, String value) { }

    /**
     * The security settings the runtime applies.
     *
     * @param runAsUser the uid, or {@code null} for the image's user (else root)
     * @param runAsGroup the gid, or {@code null} for the user's primary group (else 0)
     * @param readOnlyRootFilesystem whether the root file system is mounted read-only
     * @param privileged whether the container gets every capability and the host's devices
     */
    public record Security(Long runAsUser, Long runAsGroup, boolean readOnlyRootFilesystem, boolean privileged) {
        public static final Security DEFAULT = new Security(null, null, false, false);
    }
}
