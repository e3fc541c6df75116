package io.kubundle.net.bridge.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.NodeNetwork;
import io.kubundle.api.network.PodNetwork;
import io.kubundle.api.network.PodRef;

/**
 * The {@code bridge} pod network, as CNI's {@code bridge} and {@code host-local} plugins: a veth
 * pair per pod on one Linux bridge, addresses from the node's pod CIDR kept as files in the state
 * directory. Everything an instance needs is on the host or on disk, so a new instance (another
 * configuration, a bundle swap, a restart) carries on where the old one stopped; there is no
 * deactivation, since pods must keep their network while the plugin is away.
 */
@Component(service = PodNetwork.class, configurationPid = BridgeNetwork.PID,
        property = PodNetwork.NAME_PROPERTY + "=" + BridgeNetwork.NAME)
@Designate(ocd = BridgeConfig.class)
public final class BridgeNetwork implements PodNetwork {
    static final String PID = "io.kubundle.net.bridge";
    static final String NAME = "bridge";
    static final String DATA_DIR_PROPERTY = "kubundle.data.dir";
    /** The last {@link NodeNetwork} configured, so that a new instance can serve before the kubelet configures it. */
    static final String NODE_FILE = "node.properties";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final String bridge;
    private final Path stateDir;
    private final Ipam ipam;
    private final HostSetup host;
    private final PodWiring wiring;
    /** The CIDR new pods get addresses from; null until this instance has set the host up. */
    private Cidr podCidr;

    @Activate
    public BridgeNetwork(BridgeConfig config, BundleContext context) throws NetworkFailure {
        this(config.bridge(), config.mtu(), stateDir(config.stateDir(), context.getProperty(DATA_DIR_PROPERTY)),
                config.masquerade());
    }

    BridgeNetwork(String bridge, int mtu, Path stateDir, boolean masquerade) throws NetworkFailure {
        this.bridge = Names.requireInterfaceName("bridge", bridge);
        if (mtu < 68 || mtu > 65535) {
            throw new NetworkFailure("MTU " + mtu + " is not between 68 and 65535");
        }
        this.stateDir = stateDir;
        Commands commands = new Commands(COMMAND_TIMEOUT);
        ipam = new Ipam(stateDir);
        host = new HostSetup(commands, bridge, mtu, masquerade);
        wiring = new PodWiring(commands, bridge, mtu);
    }

    static Path stateDir(String configured, String dataDir) throws NetworkFailure {
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        if (dataDir == null || dataDir.isBlank()) {
            throw new NetworkFailure("no state directory configured (" + PID + ".cfg: stateDir) and no framework property "
                    + DATA_DIR_PROPERTY);
        }
        return Path.of(dataDir, "network", "bridge");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void configure(NodeNetwork node) throws NetworkFailure {
        Cidr pod = Cidr.parse(node.podCidr()).requirePodRange();
        Cidr cluster = node.clusterCidr() == null ? null : Cidr.parse(node.clusterCidr());
        host.apply(pod, cluster);
        save(node);
        podCidr = pod;
    }

    @Override
    public Attachment add(PodRef pod) throws NetworkFailure {
        requirePod(pod);
        Cidr cidr = ready();
        String hostVeth = Names.hostVeth(pod.uid());
        Optional<Ipam.Allocation> existing = ipam.find(pod.uid());
        if (existing.isPresent() && wiring.problem(pod, existing.get(), hostVeth).isEmpty()) {
            return attachment(existing.get());
        }
        // whatever an earlier add left behind half made, or broken since: start from nothing
        delete(pod);
        if (!Files.exists(Path.of(pod.netnsPath()))) {
            throw new NetworkFailure("network namespace " + pod.netnsPath() + " of pod " + pod.namespace() + "/"
                    + pod.name() + " does not exist");
        }
        Ipam.Allocation allocation = ipam.allocate(pod.uid(), pod.interfaceName(), cidr);
        try {
            wiring.create(pod, allocation, hostVeth);
        } catch (NetworkFailure | RuntimeException e) {
            try {
                delete(pod);
            } catch (NetworkFailure undo) {
                e.addSuppressed(undo);
            }
            throw new NetworkFailure("wiring pod " + pod.namespace() + "/" + pod.name() + " to bridge " + bridge
                    + " failed: " + e.getMessage(), e);
        }
        return attachment(allocation);
    }

    @Override
    public void delete(PodRef pod) throws NetworkFailure {
        requireUid(pod);
        wiring.remove(Names.hostVeth(pod.uid()));
        ipam.release(pod.uid());
    }

    @Override
    public void check(PodRef pod) throws NetworkFailure {
        requirePod(pod);
        Ipam.Allocation allocation = ipam.find(pod.uid()).orElseThrow(() -> new NetworkFailure(
                "pod " + pod.namespace() + "/" + pod.name() + " (uid " + pod.uid() + ") has no address from " + NAME));
        Optional<String> problem = wiring.problem(pod, allocation, Names.hostVeth(pod.uid()));
        if (problem.isPresent()) {
            throw new NetworkFailure("pod " + pod.namespace() + "/" + pod.name() + ": " + problem.get());
        }
    }

    /**
     * The pod CIDR, setting the host up first if this instance has not: with the configuration an
     * earlier instance saved, so that a swapped-in plugin serves at once (and mends a host that
     * lost its bridge in a reboot).
     */
    private synchronized Cidr ready() throws NetworkFailure {
        if (podCidr == null) {
            configure(saved().orElseThrow(() -> new NetworkFailure(
                    "the bridge network has no pod CIDR yet: the node's spec.podCIDR must be configured before the first pod")));
        }
        return podCidr;
    }

    private Attachment attachment(Ipam.Allocation allocation) {
        return new Attachment(NAME, allocation.interfaceName(), List.of(allocation.ip()),
                Cidr.format(allocation.cidr().gateway()));
    }

    private void save(NodeNetwork node) throws NetworkFailure {
        Properties properties = new Properties();
        properties.setProperty("nodeName", String.valueOf(node.nodeName()));
        properties.setProperty("podCidr", node.podCidr());
        if (node.clusterCidr() != null) {
            properties.setProperty("clusterCidr", node.clusterCidr());
        }
        Path file = stateDir.resolve(NODE_FILE);
        Path next = stateDir.resolve("." + NODE_FILE + "." + UUID.randomUUID());
        try (Writer writer = Files.newBufferedWriter(next, UTF_8)) {
            properties.store(writer, "the node network last configured; read by the next instance of " + PID);
        } catch (IOException e) {
            throw new NetworkFailure("cannot write " + next + ": " + e, e);
        }
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new NetworkFailure("cannot write " + file + ": " + e, e);
        }
    }

    private Optional<NodeNetwork> saved() throws NetworkFailure {
        Path file = stateDir.resolve(NODE_FILE);
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException never) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NetworkFailure("cannot read " + file + ": " + e, e);
        }
        return Optional.of(new NodeNetwork(properties.getProperty("nodeName"), properties.getProperty("podCidr"),
                properties.getProperty("clusterCidr")));
    }

    private static void requirePod(PodRef pod) throws NetworkFailure {
        requireUid(pod);
        Names.requireInterfaceName("pod interface", pod.interfaceName());
        String path = pod.netnsPath();
        if (path == null || !path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace)) {
            throw new NetworkFailure("network namespace '" + path + "' of pod " + pod.namespace() + "/" + pod.name()
                    + " is not an absolute path without blanks");
        }
    }

    /** The uid names the pod's address file contents and its veth: no blanks or line breaks. */
    private static void requireUid(PodRef pod) throws NetworkFailure {
        if (pod.uid() == null || pod.uid().isEmpty() || pod.uid().chars().anyMatch(Character::isWhitespace)) {
            throw new NetworkFailure("pod " + pod.namespace() + "/" + pod.name() + " has no usable uid: '" + pod.uid() + "'");
        }
    }
}
