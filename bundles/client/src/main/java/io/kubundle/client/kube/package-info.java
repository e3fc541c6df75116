/**
 * The typed Kubernetes client and the controller runtime: {@link io.kubundle.client.kube.KubeClient}
 * and its {@link io.kubundle.client.kube.ResourceClient}s for any Jackson-bound class (fabric8's
 * model classes, or {@code ObjectNode}), {@link io.kubundle.client.kube.Informer}s (list, watch,
 * local cache, resync) and the keyed, rate-limited {@link io.kubundle.client.kube.WorkQueue} that
 * controllers run on, as client-go's are.
 *
 * <p>A client runs over an {@link io.kubundle.api.transport.ApiTransport}: the API server's
 * in-process one inside the master (the {@code KubeClient} service), or HTTPS from a kubeconfig
 * ({@link io.kubundle.client.kube.https.Kubeconfig}) for nodes and tools. Both behave the same.
 */
@Export
@Version("1.1.0")
package io.kubundle.client.kube;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
