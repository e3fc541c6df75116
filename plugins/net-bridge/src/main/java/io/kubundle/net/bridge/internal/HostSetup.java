package io.kubundle.net.bridge.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.kubundle.api.network.NetworkFailure;

/**
 * The node's side of the network: the bridge with the gateway address of each pod CIDR it has
 * served, IP forwarding, and iptables chains of its own (named after the bridge, so two bridges,
 * say a test's and the node's, never share one). Every step checks before it changes anything, so
 * applying it again, from this instance or a new one, is harmless.
 */
final class HostSetup {
    static final String NAT_CHAIN_PREFIX = "KUBUNDLE-NAT-";
    static final String FORWARD_CHAIN_PREFIX = "KUBUNDLE-FWD-";
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    /** How long iptables waits for the xtables lock another program holds. */
    private static final String LOCK_WAIT_SECONDS = "5";

    private final Commands commands;
    private final String bridge;
    private final int mtu;
    private final boolean masquerade;

    HostSetup(Commands commands, String bridge, int mtu, boolean masquerade) {
        this.commands = commands;
        this.bridge = bridge;
        this.mtu = mtu;
        this.masquerade = masquerade;
    }

    static String natChain(String bridge) {
        return NAT_CHAIN_PREFIX + bridge;
    }

    static String forwardChain(String bridge) {
        return FORWARD_CHAIN_PREFIX + bridge;
    }

    /**
     * Makes the host ready for pods of {@code pod}; {@code cluster} (or, when {@code null}, the pod
     * CIDR) is what is not masqueraded. Addresses and rules of an earlier CIDR stay, for the pods
     * that still have addresses from it.
     */
    void apply(Cidr pod, Cidr cluster) throws NetworkFailure {
        ensureBridge();
        ensureGateway(pod);
        commands.must(List.of("ip", "link", "set", "dev", bridge, "up"));
        enableForwarding();
        String forward = forwardChain(bridge);
        ensureChain("filter", forward);
        ensureRule("filter", forward, List.of("-i", bridge, "-j", "ACCEPT"));
        ensureRule("filter", forward, List.of("-o", bridge, "-j", "ACCEPT"));
        ensureRule("filter", "FORWARD", jump(forward));
        String nat = natChain(bridge);
        if (masquerade) {
            ensureChain("nat", nat);
            ensureRule("nat", nat, List.of("-s", pod.toString(), "!", "-d", (cluster == null ? pod : cluster).toString(),
                    "-j", "MASQUERADE"));
            ensureRule("nat", "POSTROUTING", jump(nat));
        } else {
            removeChain("nat", "POSTROUTING", nat);
        }
    }

    /** Removes chain {@code chain} and every jump to it from {@code from}; what is not there is no error. */
    void removeChain(String table, String from, String chain) throws NetworkFailure {
        while (iptables(table, "-D", from, jump(chain)).ok()) {
            // once more: a rule added twice by hand would otherwise keep the chain in use
        }
        if (iptables(table, "-S", chain).ok()) {
            mustIptables(table, "-F", chain);
            mustIptables(table, "-X", chain);
        }
    }

    private void ensureBridge() throws NetworkFailure {
        Commands.Result shown = commands.run(List.of("ip", "-d", "-o", "link", "show", "dev", bridge));
        if (!shown.ok()) {
            // a fixed address: otherwise the bridge takes the lowest of its ports' and changes as pods come and go
            Commands.Result added = commands.run(List.of("ip", "link", "add", bridge, "address", mac(bridge), "mtu",
                    Integer.toString(mtu), "type", "bridge"));
            shown = commands.run(List.of("ip", "-d", "-o", "link", "show", "dev", bridge));
            if (!shown.ok()) {
                throw Commands.failure(List.of("ip", "link", "add", bridge, "type", "bridge"), "", added);
            }
        }
        if (!shown.out().contains(" bridge ")) {
            throw new NetworkFailure("interface " + bridge + " exists but is not a bridge: " + shown.out().strip());
        }
    }

    private void ensureGateway(Cidr pod) throws NetworkFailure {
        String address = Cidr.format(pod.gateway()) + "/" + pod.prefix();
        if (!commands.must(List.of("ip", "-o", "-4", "addr", "show", "dev", bridge)).contains("inet " + address + " ")) {
            List<String> add = List.of("ip", "addr", "add", address, "brd", "+", "dev", bridge);
            Commands.Result added = commands.run(add);
            // another instance may have added it in between
            if (!added.ok() && !added.err().contains("File exists")) {
                throw Commands.failure(add, "", added);
            }
        }
    }

    private static void enableForwarding() throws NetworkFailure {
        try {
            if (!Files.readString(IP_FORWARD, UTF_8).strip().equals("1")) {
                Files.writeString(IP_FORWARD, "1\n", UTF_8);
            }
        } catch (IOException e) {
            throw new NetworkFailure("cannot enable IPv4 forwarding (" + IP_FORWARD + "): " + e, e);
        }
    }

    private void ensureChain(String table, String chain) throws NetworkFailure {
        if (!iptables(table, "-S", chain).ok()) {
            Commands.Result created = iptables(table, "-N", chain);
            // another instance may have made it in between
            if (!created.ok() && !iptables(table, "-S", chain).ok()) {
                throw Commands.failure(iptablesCommand(table, "-N", chain, List.of()), "", created);
            }
        }
    }

    private void ensureRule(String table, String chain, List<String> rule) throws NetworkFailure {
        if (!iptables(table, "-C", chain, rule).ok()) {
            mustIptables(table, "-A", chain, rule);
        }
    }

    private List<String> jump(String chain) {
        return List.of("-m", "comment", "--comment", "kubundle bridge " + bridge, "-j", chain);
    }

    private Commands.Result iptables(String table, String operation, String chain) throws NetworkFailure {
        return iptables(table, operation, chain, List.of());
    }

    private Commands.Result iptables(String table, String operation, String chain, List<String> rule)
            throws NetworkFailure {
        return commands.run(iptablesCommand(table, operation, chain, rule));
    }

    private void mustIptables(String table, String operation, String chain) throws NetworkFailure {
        mustIptables(table, operation, chain, List.of());
    }

    private void mustIptables(String table, String operation, String chain, List<String> rule) throws NetworkFailure {
        commands.must(iptablesCommand(table, operation, chain, rule));
    }

    private static List<String> iptablesCommand(String table, String operation, String chain, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", LOCK_WAIT_SECONDS, "-t", table, operation, chain));
        command.addAll(rule);
        return command;
    }

    /** A locally administered unicast address that is the same for the same bridge name. */
    static String mac(String bridge) {
        byte[] hash = Names.sha256(bridge);
        StringBuilder mac = new StringBuilder("02");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(String.format("%02x", hash[i] & 0xff));
        }
        return mac.toString();
    }
}
