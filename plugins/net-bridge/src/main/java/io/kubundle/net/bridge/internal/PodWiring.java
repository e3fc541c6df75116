package io.kubundle.net.bridge.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.PodRef;

/**
 * A pod's veth pair: the host end on the bridge, the other end in the pod's network namespace with
 * the pod's address and a default route through the gateway. Each side is set up by one
 * {@code ip -batch} run, so a pod costs two processes.
 */
final class PodWiring {
    private final Commands commands;
    private final String bridge;
    private final int mtu;

    PodWiring(Commands commands, String bridge, int mtu) {
        this.commands = commands;
        this.bridge = bridge;
        this.mtu = mtu;
    }

    /** Makes the pair; on failure the caller removes {@code hostVeth}, which takes the pod's end with it. */
    void create(PodRef pod, Ipam.Allocation allocation, String hostVeth) throws NetworkFailure {
        String m = Integer.toString(mtu);
        // the peer is made inside the namespace under its final name: no temporary name to clash or to leak
        commands.must(List.of("ip", "-batch", "-"), String.join("\n",
                "link add " + hostVeth + " mtu " + m + " type veth peer name " + pod.interfaceName() + " mtu " + m
                        + " netns " + pod.netnsPath(),
                "link set dev " + hostVeth + " master " + bridge,
                // hairpin: a pod reaching itself through a service comes back out of the port it left
                "link set dev " + hostVeth + " type bridge_slave hairpin on",
                "link set dev " + hostVeth + " up") + "\n");
        Cidr cidr = allocation.cidr();
        commands.must(inPod(pod, "-batch", "-"), String.join("\n",
                "link set dev lo up",
                "addr add " + allocation.ip() + "/" + cidr.prefix() + " brd + dev " + pod.interfaceName(),
                "link set dev " + pod.interfaceName() + " up",
                "route add default via " + Cidr.format(cidr.gateway()) + " dev " + pod.interfaceName()) + "\n");
    }

    /** Deletes the host end, and with it the pod's; an end already gone is no error. */
    void remove(String hostVeth) throws NetworkFailure {
        List<String> delete = List.of("ip", "link", "del", "dev", hostVeth);
        Commands.Result deleted = commands.run(delete);
        if (!deleted.ok() && !deleted.err().contains("Cannot find device")) {
            throw Commands.failure(delete, "", deleted);
        }
    }

    /** What differs from what {@link #create} left, or empty when nothing does. */
    Optional<String> problem(PodRef pod, Ipam.Allocation allocation, String hostVeth) throws NetworkFailure {
        if (!Files.exists(Path.of(pod.netnsPath()))) {
            return Optional.of("network namespace " + pod.netnsPath() + " does not exist");
        }
        Commands.Result host = commands.run(List.of("ip", "-o", "link", "show", "dev", hostVeth));
        if (!host.ok()) {
            return Optional.of("host interface " + hostVeth + " is missing: " + host.err());
        }
        if (!host.out().contains(" master " + bridge + " ")) {
            return Optional.of("host interface " + hostVeth + " is not on bridge " + bridge + ": " + host.out().strip());
        }
        String address = allocation.ip() + "/" + allocation.cidr().prefix();
        String gateway = Cidr.format(allocation.cidr().gateway());
        Commands.Result inside = commands.run(inPod(pod, "-o", "-4", "-batch", "-"),
                "addr show dev " + pod.interfaceName() + "\nroute show default\n");
        if (!inside.ok()) {
            return Optional.of("interface " + pod.interfaceName() + " in " + pod.netnsPath() + " cannot be read: "
                    + inside.err());
        }
        if (!inside.out().contains("inet " + address + " ")) {
            return Optional.of("interface " + pod.interfaceName() + " in " + pod.netnsPath() + " does not have "
                    + address);
        }
        if (!inside.out().contains("default via " + gateway + " dev " + pod.interfaceName())) {
            return Optional.of("no default route via " + gateway + " in " + pod.netnsPath());
        }
        return Optional.empty();
    }

    /** {@code ip ARGS} run inside the pod's network namespace; {@code nsenter} takes any namespace file. */
    private static List<String> inPod(PodRef pod, String... ipArguments) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + pod.netnsPath(), "ip"));
        command.addAll(List.of(ipArguments));
        return command;
    }
}
