package io.kubundle.kubelet.internal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the kubelet is told about its node.
 *
 * @param nodeName the Node's name
 * @param nodeIp the address the node registers as its InternalIP
 * @param rootDir the kubelet's state ({@code pods/<uid>/volumes/...})
 * @param logDir where container logs go ({@code <ns>_<pod>_<uid>/<container>/<attempt>.log})
 * @param cgroupParent the cgroup every pod's cgroup goes under
 * @param clusterCidr the cluster's pod network, for the network plugin
 * @param resync how often a pod is looked at again though nothing changed (configMap updates)
 */
record NodeSettings(String nodeName, String nodeIp, Path rootDir, Path logDir, String cgroupParent, String clusterCidr,
        Duration resync) {

    Path podDir(String uid) {
        return rootDir.resolve("pods").resolve(uid);
    }

    Path podLogDir(String namespace, String name, String uid) {
        return logDir.resolve(namespace + "_" + name + "_" + uid);
    }
}
