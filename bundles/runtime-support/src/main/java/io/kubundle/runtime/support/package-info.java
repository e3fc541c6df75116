/**
 * What the container runtimes (runc, native) share: short host commands ({@link
 * io.kubundle.runtime.support.Commands}), their JSON records on disk ({@link
 * io.kubundle.runtime.support.Records}), the files of a container's directory ({@link
 * io.kubundle.runtime.support.ContainerDir}), the pod sandboxes ({@link io.kubundle.runtime.support.Sandboxes})
 * and the rest of the state directory ({@link io.kubundle.runtime.support.StateFiles}), a checked
 * {@code createContainer} ({@link io.kubundle.runtime.support.ContainerRequest}), cgroup v1 ({@link
 * io.kubundle.runtime.support.Cgroups}), execs as host processes ({@link
 * io.kubundle.runtime.support.ProcessExecSession}),
 * a container's process merged from image and config ({@link io.kubundle.runtime.support.ProcessSpec}),
 * the shim's log writer ({@link io.kubundle.runtime.support.LogWriter}) and attaches through it
 * ({@link io.kubundle.runtime.support.AttachSession}).
 */
@Export
@Version("1.1.0")
package io.kubundle.runtime.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
