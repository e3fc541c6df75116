package io.kubundle.net.cni.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.NodeNetwork;
import io.kubundle.api.network.PodNetwork;
import io.kubundle.api.network.PodRef;

/**
 * The {@code cni} pod network: runs the plugins of a CNI network configuration list, as a container
 * runtime does with libcni. ADD runs them in order, each given the previous one's result; DEL runs
 * them in reverse; CHECK in order. The configuration and result of every pod are cached on disk
 * ({@link ResultCache}) before and after ADD, so DEL and CHECK use what ADD used even after the
 * configuration directory changed, the JVM restarted or another instance took over; there is no
 * deactivation, since pods must keep their network while the plugin is away.
 */
@Component(service = PodNetwork.class, configurationPid = CniNetwork.PID,
        property = PodNetwork.NAME_PROPERTY + "=" + CniNetwork.NAME)
@Designate(ocd = CniConfig.class)
public final class CniNetwork implements PodNetwork {
    static final String PID = "io.kubundle.net.cni";
    static final String NAME = "cni";
    static final String DATA_DIR_PROPERTY = "kubundle.data.dir";
    private static final System.Logger LOG = System.getLogger(CniNetwork.class.getName());

    private final Path confDir;
    private final String network;
    private final PluginRunner runner;
    private final ResultCache cache;
    private volatile NodeNetwork node;

    @Activate
    public CniNetwork(CniConfig config, BundleContext context) throws NetworkFailure {
        this(Path.of(config.confDir()), binDirs(config.binDirs()), config.network().strip(),
                stateDir(config.stateDir(), context.getProperty(DATA_DIR_PROPERTY)), Duration.ofSeconds(config.timeoutSeconds()));
    }

    CniNetwork(Path confDir, List<Path> binDirs, String network, Path stateDir, Duration timeout) throws NetworkFailure {
        if (binDirs.isEmpty()) {
            throw new NetworkFailure("no CNI binary directory configured (" + PID + ".cfg: binDirs)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new NetworkFailure("the CNI plugin timeout must be positive, not " + timeout.toSeconds() + " s");
        }
        this.confDir = confDir;
        this.network = network;
        this.runner = new PluginRunner(binDirs, timeout);
        this.cache = new ResultCache(stateDir.resolve("results"));
    }

    static List<Path> binDirs(String configured) {
        return Arrays.stream(configured.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    static Path stateDir(String configured, String dataDir) throws NetworkFailure {
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        if (dataDir == null || dataDir.isBlank()) {
            throw new NetworkFailure("no state directory configured (" + PID + ".cfg: stateDir) and no framework property "
                    + DATA_DIR_PROPERTY);
        }
        return Path.of(dataDir, "network", "cni");
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Keeps the node's pod CIDR for the configuration's placeholders, then loads the configuration
     * so that a missing or broken one is reported now. Only new pods need the CIDR (DEL and CHECK
     * use the cached configuration), and the SPI has every instance configured before its first
     * {@link #add}, so it is not kept on disk.
     */
    @Override
    public void configure(NodeNetwork node) throws NetworkFailure {
        if (node.podCidr() == null || node.podCidr().isBlank()) {
            throw new NetworkFailure("the node " + node.nodeName() + " has no pod CIDR");
        }
        this.node = node;
        current();
    }

    @Override
    public Attachment add(PodRef pod) throws NetworkFailure {
        requirePod(pod);
        Optional<ResultCache.Entry> cached = cache.get(pod.uid(), pod.interfaceName());
        if (cached.isPresent()) {
            ResultCache.Entry entry = cached.get();
            if (entry.result() != null && Files.exists(Path.of(pod.netnsPath()))) {
                try {
                    check(pod, entry);
                    return CniResult.attachment(NAME, pod.interfaceName(), entry.result());
                } catch (NetworkFailure broken) {
                    LOG.log(System.Logger.Level.INFO, "pod " + describe(pod) + " is added again: " + broken.getMessage());
                }
            }
            // half made by an ADD that failed or was cut short, or broken since: start from nothing
            delete(pod);
        }
        if (!Files.exists(Path.of(pod.netnsPath()))) {
            throw new NetworkFailure("network namespace " + pod.netnsPath() + " of pod " + describe(pod) + " does not exist");
        }
        NetworkList list = current();
        for (ObjectNode plugin : list.plugins()) {
            runner.find(plugin.path("type").asText()); // all there, or nothing starts
        }
        ResultCache.Entry entry = new ResultCache.Entry(pod.uid(), pod.interfaceName(), pod.netnsPath(), list, null);
        cache.put(entry);
        JsonNode result = null;
        int attempted = 0;
        try {
            PluginRunner.Call call = call("ADD", pod, pod.netnsPath());
            for (ObjectNode plugin : list.plugins()) {
                attempted++;
                JsonNode out = runner.run(plugin.path("type").asText(), call, pluginConfig(list, plugin, result));
                if (out != null) {
                    result = out;
                }
            }
            Attachment attachment = CniResult.attachment(NAME, pod.interfaceName(), result);
            cache.put(new ResultCache.Entry(pod.uid(), pod.interfaceName(), pod.netnsPath(), list, result));
            return attachment;
        } catch (NetworkFailure | RuntimeException e) {
            try {
                // the plugins that ran, the failed one included, in reverse, given the result so far
                delete(pod, new ResultCache.Entry(pod.uid(), pod.interfaceName(), pod.netnsPath(), list.first(attempted), result));
            } catch (NetworkFailure undo) {
                e.addSuppressed(undo);
            }
            throw new NetworkFailure("CNI network \"" + list.name() + "\" could not add pod " + describe(pod) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Runs DEL with what ADD used, from the cache; a pod without a cache entry was never added (or
     * is deleted already) and nothing runs. When the pod's namespace is gone, {@code CNI_NETNS} is
     * empty and what the plugins answer is only logged, as the spec lets a runtime do.
     */
    @Override
    public void delete(PodRef pod) throws NetworkFailure {
        requireUid(pod);
        String ifName = pod.interfaceName() == null || pod.interfaceName().isEmpty() ? "eth0" : pod.interfaceName();
        Optional<ResultCache.Entry> cached = cache.get(pod.uid(), ifName);
        if (cached.isPresent()) {
            delete(pod, cached.get());
        }
    }

    private void delete(PodRef pod, ResultCache.Entry entry) throws NetworkFailure {
        String netns = pod.netnsPath() == null || pod.netnsPath().isEmpty() ? entry.netns() : pod.netnsPath();
        boolean gone = netns.isEmpty() || !Files.exists(Path.of(netns));
        PluginRunner.Call call = new PluginRunner.Call("DEL", entry.containerId(), gone ? "" : netns, entry.ifName(), cniArgs(pod));
        List<ObjectNode> plugins = new ArrayList<>(entry.config().plugins());
        // DEL has had prevResult since 0.4.0, as libcni passes it
        JsonNode prevResult = compareVersions(entry.config().cniVersion(), "0.4.0") < 0 ? null : entry.result();
        NetworkFailure failure = null;
        for (int i = plugins.size() - 1; i >= 0; i--) {
            ObjectNode plugin = plugins.get(i);
            try {
                runner.run(plugin.path("type").asText(), call, pluginConfig(entry.config(), plugin, prevResult));
            } catch (NetworkFailure e) {
                if (gone) {
                    LOG.log(System.Logger.Level.DEBUG, "pod " + describe(pod) + " is gone; ignored: " + e.getMessage());
                } else if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw new NetworkFailure("CNI network \"" + entry.config().name() + "\" could not delete pod " + describe(pod) + ": "
                    + failure.getMessage(), failure);
        }
        cache.remove(entry.containerId(), entry.ifName());
    }

    @Override
    public void check(PodRef pod) throws NetworkFailure {
        requirePod(pod);
        ResultCache.Entry entry = cache.get(pod.uid(), pod.interfaceName()).orElseThrow(() -> new NetworkFailure(
                "pod " + describe(pod) + " (uid " + pod.uid() + ") was not added by the CNI network"));
        if (entry.result() == null) {
            throw new NetworkFailure("pod " + describe(pod) + ": its CNI ADD did not finish");
        }
        if (!Files.exists(Path.of(pod.netnsPath()))) {
            throw new NetworkFailure("network namespace " + pod.netnsPath() + " of pod " + describe(pod) + " does not exist");
        }
        check(pod, entry);
    }

    /** Runs CHECK, if the configuration's version has it (0.4.0 on) and does not disable it. */
    private void check(PodRef pod, ResultCache.Entry entry) throws NetworkFailure {
        NetworkList list = entry.config();
        if (list.disableCheck() || compareVersions(list.cniVersion(), "0.4.0") < 0) {
            return;
        }
        PluginRunner.Call call = call("CHECK", pod, pod.netnsPath());
        for (ObjectNode plugin : list.plugins()) {
            try {
                runner.run(plugin.path("type").asText(), call, pluginConfig(list, plugin, entry.result()));
            } catch (NetworkFailure e) {
                throw new NetworkFailure("pod " + describe(pod) + ": " + e.getMessage(), e);
            }
        }
    }

    /** The network new pods get now, with the node's pod CIDR put in where asked. */
    NetworkList current() throws NetworkFailure {
        NetworkList list = NetworkList.load(confDir, network);
        if (!list.needsPodCidr()) {
            return list;
        }
        return list.withPodCidr(podCidr().orElseThrow(() -> new NetworkFailure("CNI network \"" + list.name()
                + "\" asks for the pod CIDR, and the node has none yet: its spec.podCIDR must be set before the first pod")));
    }

    private Optional<String> podCidr() {
        return Optional.ofNullable(node).map(NodeNetwork::podCidr);
    }

    /**
     * What plugin {@code plugin} of {@code list} gets on stdin: its own configuration with the
     * list's {@code cniVersion} and {@code name}, a {@code runtimeConfig} with the capabilities it
     * declares and this runtime has ({@code ipRanges}: the node's pod CIDR; {@code portMappings}:
     * none), and {@code prevResult} when there is one.
     */
    ObjectNode pluginConfig(NetworkList list, ObjectNode plugin, JsonNode prevResult) {
        ObjectNode config = plugin.deepCopy();
        config.put("cniVersion", list.cniVersion());
        config.put("name", list.name());
        ObjectNode runtime = NetworkList.JSON.createObjectNode();
        JsonNode capabilities = plugin.path("capabilities");
        if (capabilities.path("portMappings").asBoolean(false)) {
            runtime.putArray("portMappings");
        }
        Optional<String> podCidr = capabilities.path("ipRanges").asBoolean(false) ? podCidr() : Optional.empty();
        if (podCidr.isPresent()) {
            runtime.putArray("ipRanges").addArray().addObject().put("subnet", podCidr.get());
        }
        if (!runtime.isEmpty()) {
            config.set("runtimeConfig", runtime);
        }
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        } else {
            config.remove("prevResult");
        }
        return config;
    }

    private static PluginRunner.Call call(String command, PodRef pod, String netns) {
        return new PluginRunner.Call(command, pod.uid(), netns, pod.interfaceName(), cniArgs(pod));
    }

    /** {@code CNI_ARGS} as the kubelet's CNI code passed them: Calico and Cilium read the pod's name from them. */
    static String cniArgs(PodRef pod) {
        List<String> args = new ArrayList<>(List.of("IgnoreUnknown=1"));
        if (pod.namespace() != null && !pod.namespace().isEmpty()) {
            args.add("K8S_POD_NAMESPACE=" + pod.namespace());
        }
        if (pod.name() != null && !pod.name().isEmpty()) {
            args.add("K8S_POD_NAME=" + pod.name());
        }
        args.add("K8S_POD_INFRA_CONTAINER_ID=" + pod.uid());
        args.add("K8S_POD_UID=" + pod.uid());
        return String.join(";", args);
    }

    /** Compares {@code 0.4.0}-style versions numerically; missing parts count as 0. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(part(x, i), part(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int part(String[] parts, int i) {
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String describe(PodRef pod) {
        return pod.namespace() + "/" + pod.name();
    }

    private static void requirePod(PodRef pod) throws NetworkFailure {
        requireUid(pod);
        String ifName = pod.interfaceName();
        if (ifName == null || !ifName.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new NetworkFailure("'" + ifName + "' is not an interface name");
        }
        String path = pod.netnsPath();
        if (path == null || !path.startsWith("/")) {
            throw new NetworkFailure("network namespace '" + path + "' of pod " + describe(pod) + " is not an absolute path");
        }
    }

    /** The uid names the pod's cache file and goes into {@code CNI_ARGS}: letters, digits, {@code -_.} only. */
    private static void requireUid(PodRef pod) throws NetworkFailure {
        if (pod.uid() == null || !pod.uid().matches("[A-Za-z0-9_.-]+") || pod.uid().startsWith(".")) {
            throw new NetworkFailure("pod " + describe(pod) + " has no usable uid: '" + pod.uid() + "'");
        }
    }
}
