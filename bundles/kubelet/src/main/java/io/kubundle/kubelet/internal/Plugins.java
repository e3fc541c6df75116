package io.kubundle.kubelet.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.kubundle.api.dns.ClusterDns;
import io.kubundle.api.network.PodNetwork;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.volume.VolumePlugin;

/**
 * The runtime, network, image and volume plugins present now, as they come and go with their
 * bundles, and which of them new pods use: the configured runtime ({@code auto}: runc when
 * available, else native, else any available one) and network.
 */
final class Plugins {
    private final Map<String, ContainerRuntime> runtimes = new ConcurrentHashMap<>();
    private final Map<String, PodNetwork> networks = new ConcurrentHashMap<>();
    /** Volume plugins in the order they came, each with the source types it serves. */
    private final List<Volumes> volumes = new CopyOnWriteArrayList<>();
    private volatile ImageService images;
    private volatile ClusterDns clusterDns;
    private volatile String preferredRuntime = "auto";
    private volatile String preferredNetwork = "bridge";

    /** Sets which runtime ({@code auto} or a name) and network new pods use. */
    void configure(String runtime, String network) {
        this.preferredRuntime = runtime;
        this.preferredNetwork = network;
    }

    void addRuntime(ContainerRuntime runtime) {
        runtimes.put(runtime.name(), runtime);
    }

    void removeRuntime(ContainerRuntime runtime) {
        runtimes.remove(runtime.name(), runtime);
    }

    void addNetwork(PodNetwork network) {
        networks.put(network.name(), network);
    }

    void removeNetwork(PodNetwork network) {
        networks.remove(network.name(), network);
    }

    void addVolumes(VolumePlugin plugin, Set<String> types) {
        volumes.add(new Volumes(plugin, Set.copyOf(types)));
    }

    void removeVolumes(VolumePlugin plugin) {
        volumes.removeIf(registered -> registered.plugin() == plugin);
    }

    /** The plugin for a volume source type: of two for one type, the one that came last (a swap's new copy). */
    Optional<VolumePlugin> volumes(String type) {
        VolumePlugin last = null;
        for (Volumes registered : volumes) {
            if (registered.types().contains(type)) {
                last = registered.plugin();
            }
        }
        return Optional.ofNullable(last);
    }

    private record Volumes(VolumePlugin plugin, Set<String> types) { }

    void setImages(ImageService images) {
        this.images = images;
    }

    void unsetImages(ImageService images) {
        if (this.images == images) {
            this.images = null;
        }
    }

    Optional<ImageService> images() {
        return Optional.ofNullable(images);
    }

    void setClusterDns(ClusterDns dns) {
        this.clusterDns = dns;
    }

    void unsetClusterDns(ClusterDns dns) {
        if (this.clusterDns == dns) {
            this.clusterDns = null;
        }
    }

    /** The node's cluster DNS while one answers; pods made meanwhile get it in their resolv.conf. */
    Optional<ClusterDns> clusterDns() {
        return Optional.ofNullable(clusterDns);
    }

    List<ContainerRuntime> runtimes() {
        return List.copyOf(runtimes.values());
    }

    Optional<ContainerRuntime> runtime(String name) {
        return Optional.ofNullable(runtimes.get(name));
    }

    Optional<PodNetwork> network(String name) {
        return Optional.ofNullable(networks.get(name));
    }

    /** The runtime new pods go to, if one is present and available. */
    Optional<ContainerRuntime> runtimeForNewPods() {
        if (!"auto".equals(preferredRuntime)) {
            return runtime(preferredRuntime).filter(runtime -> runtime.availability().available());
        }
        for (String name : List.of("runc", "native")) {
            Optional<ContainerRuntime> runtime = runtime(name).filter(candidate -> candidate.availability().available());
            if (runtime.isPresent()) {
                return runtime;
            }
        }
        return runtimes.values().stream().filter(runtime -> runtime.availability().available()).findFirst();
    }

    /** Why no runtime takes new pods, for the node's Ready condition. */
    String runtimeProblem() {
        if (runtimes.isEmpty()) {
            return "container runtime is down: no runtime plugin is installed";
        }
        if (!"auto".equals(preferredRuntime) && runtime(preferredRuntime).isEmpty()) {
            return "container runtime is down: runtime plugin \"" + preferredRuntime + "\" is not installed";
        }
        StringBuilder reasons = new StringBuilder("container runtime is down:");
        runtimes.values().forEach(runtime -> reasons.append(' ').append(runtime.name()).append(": ")
                .append(runtime.availability().reason()).append(';'));
        return reasons.toString();
    }

    /** The network new pods are wired with. */
    Optional<PodNetwork> networkForNewPods() {
        return network(preferredNetwork);
    }

    String preferredNetwork() {
        return preferredNetwork;
    }
}
