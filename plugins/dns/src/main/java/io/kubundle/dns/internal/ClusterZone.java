package io.kubundle.dns.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import io.kubundle.dns.internal.ClusterIndex.Port;
import io.kubundle.dns.internal.ClusterIndex.Target;
import io.kubundle.dns.internal.ClusterIndex.View;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;

/**
 * The answers of the Kubernetes DNS specification for one cluster domain, from a
 * {@link ClusterIndex}: services, headless endpoints, SRV for named ports, PTR, pod names. Names
 * outside the domain (and reverse names of addresses the cluster does not own) are
 * {@link Answer#FORWARD}. Pure and thread-safe: it only reads the index.
 */
final class ClusterZone {
    private final ClusterIndex index;
    private final String domain;
    private final String zone;
    private final long ttl;
    private final long serial;
    private final BooleanSupplier synced;

    ClusterZone(ClusterIndex index, String domain, long ttl, BooleanSupplier synced) {
        this.index = index;
        this.domain = trimDots(domain.toLowerCase(Locale.ROOT));
        this.zone = this.domain + ".";
        this.ttl = ttl;
        this.serial = System.currentTimeMillis() / 1000;
        this.synced = synced;
    }

    String domain() {
        return domain;
    }

    /** The answer to {@code name} (as asked, any case, with or without the final dot) of {@code type}. */
    Answer answer(String name, DnsRecordType type) {
        String asked = name.endsWith(".") ? name : name + ".";
        String lower = trimDots(asked.toLowerCase(Locale.ROOT));
        if (lower.equals(domain) || lower.endsWith("." + domain)) {
            if (!synced.getAsBoolean()) {
                return Answer.NOT_READY;
            }
            String relative = lower.equals(domain) ? "" : lower.substring(0, lower.length() - domain.length() - 1);
            return inZone(asked, relative.isEmpty() ? new String[0] : relative.split("\\."), type);
        }
        if (type == DnsRecordType.PTR || type == DnsRecordType.ANY) {
            String address = Addresses.fromReverse(lower);
            if (address != null && synced.getAsBoolean()) {
                List<String> names = index.namesOf(address);
                if (!names.isEmpty()) {
                    List<DnsRecord> records = new ArrayList<>();
                    for (String target : names) {
                        records.add(Records.ptr(asked, target + "." + zone, ttl));
                    }
                    return Answer.records(records, List.of());
                }
            }
        }
        return Answer.FORWARD;
    }

    /** {@code labels}: the name's labels left of the domain, left to right. */
    private Answer inZone(String asked, String[] labels, DnsRecordType type) {
        int n = labels.length;
        if (n == 0) {
            return type == DnsRecordType.SOA ? Answer.records(List.of(soa()), List.of()) : noData();
        }
        String kind = labels[n - 1];
        if (kind.equals("svc")) {
            return service(asked, labels, type);
        }
        if (kind.equals("pod")) {
            return pod(asked, labels, type);
        }
        return nxDomain();
    }

    private Answer service(String asked, String[] labels, DnsRecordType type) {
        int n = labels.length;
        if (n == 1) {
            return noData();
        }
        String namespace = labels[n - 2];
        if (n == 2) {
            return index.hasNamespace(namespace) ? noData() : nxDomain();
        }
        View view = index.view(namespace, labels[n - 3]);
        if (view == null) {
            return nxDomain();
        }
        if (n == 3) {
            return serviceName(asked, view, type);
        }
        if (n == 4) {
            if (labels[0].startsWith("_")) {
                // _tcp.<svc>...: exists when a named port has that protocol
                return namedPorts(view, null, labels[0].substring(1)).isEmpty() ? nxDomain() : noData();
            }
            Target target = view.service().isHeadless() ? view.targets().get(labels[0]) : null;
            return target == null ? nxDomain() : addresses(asked, target.addresses(), type);
        }
        if (n == 5 && labels[0].startsWith("_") && labels[1].startsWith("_")) {
            List<Port> ports = namedPorts(view, labels[0].substring(1), labels[1].substring(1));
            if (ports.isEmpty()) {
                return nxDomain();
            }
            return type == DnsRecordType.SRV || type == DnsRecordType.ANY ? srv(asked, view, ports) : noData();
        }
        return nxDomain();
    }

    private Answer serviceName(String asked, View view, DnsRecordType type) {
        if (view.service().isExternalName()) {
            String target = view.service().externalName();
            if (target.isEmpty()) {
                return noData();
            }
            List<DnsRecord> cname = List.of(Records.cname(asked, target + ".", ttl));
            if (type == DnsRecordType.CNAME) {
                return Answer.records(cname, List.of());
            }
            String lowerTarget = target.toLowerCase(Locale.ROOT);
            if (lowerTarget.equals(domain) || lowerTarget.endsWith("." + domain)) {
                // in the cluster: the target's own records, looked up here (once: no loops)
                Answer local = inZoneOnce(target + ".", type);
                List<DnsRecord> records = new ArrayList<>(cname);
                records.addAll(local.answers());
                return Answer.records(records, List.of());
            }
            return Answer.chase(cname, target + ".");
        }
        if (type == DnsRecordType.SRV) {
            List<Port> ports = namedPorts(view, null, null);
            return ports.isEmpty() ? noData() : srv(asked, view, ports);
        }
        return addresses(asked, view.addresses(), type);
    }

    private Answer inZoneOnce(String name, DnsRecordType type) {
        String lower = trimDots(name.toLowerCase(Locale.ROOT));
        String relative = lower.equals(domain) ? "" : lower.substring(0, lower.length() - domain.length() - 1);
        String[] labels = relative.isEmpty() ? new String[0] : relative.split("\\.");
        if (labels.length == 3 && labels[2].equals("svc")) {
            View view = index.view(labels[1], labels[0]);
            return view == null || view.service().isExternalName() ? nxDomain() : addresses(name, view.addresses(), type);
        }
        return inZone(name, labels, type);
    }

    private Answer pod(String asked, String[] labels, DnsRecordType type) {
        int n = labels.length;
        if (n == 1 || n == 2) {
            return noData();
        }
        String address = n == 3 ? Addresses.undashed(labels[0]) : null;
        return address == null ? nxDomain() : addresses(asked, List.of(address), type);
    }

    /** A/AAAA (or ANY) of the addresses of the asked family; NODATA when there is none or another type is asked. */
    private Answer addresses(String asked, List<String> addresses, DnsRecordType type) {
        List<DnsRecord> records = new ArrayList<>();
        for (String address : addresses) {
            boolean v4 = address.indexOf(':') < 0;
            if (type == DnsRecordType.ANY || (type == DnsRecordType.A && v4) || (type == DnsRecordType.AAAA && !v4)) {
                records.add(Records.address(asked, address, ttl));
            }
        }
        return records.isEmpty() ? noData() : Answer.records(records, List.of());
    }

    /**
     * SRV for the given named ports: a ClusterIP service's port on its own name; a headless
     * service's, one per endpoint on the endpoint's name with the slice's port of that name.
     * Targets' addresses go in the additional section. Asked on the service's own name, it
     * answers for every named port.
     */
    private Answer srv(String asked, View view, List<Port> ports) {
        String serviceName = view.service().name() + "." + view.service().namespace() + ".svc." + zone;
        List<DnsRecord> answers = new ArrayList<>();
        List<DnsRecord> additional = new ArrayList<>();
        for (Port port : ports) {
            if (view.service().isHeadless()) {
                List<Target> targets = new ArrayList<>();
                for (Target target : view.targets().values()) {
                    if (slicePort(target, port) > 0) {
                        targets.add(target);
                    }
                }
                int weight = targets.isEmpty() ? 0 : Math.max(1, 100 / targets.size());
                for (Target target : targets) {
                    String targetName = target.label() + "." + serviceName;
                    answers.add(Records.srv(asked, 0, weight, slicePort(target, port), targetName, ttl));
                    if (!additionalHas(additional, targetName)) {
                        for (String address : target.addresses()) {
                            additional.add(Records.address(targetName, address, ttl));
                        }
                    }
                }
            } else {
                answers.add(Records.srv(asked, 0, 100, port.port(), serviceName, ttl));
                if (!additionalHas(additional, serviceName)) {
                    for (String address : view.addresses()) {
                        additional.add(Records.address(serviceName, address, ttl));
                    }
                }
            }
        }
        return answers.isEmpty() ? noData() : Answer.records(answers, additional);
    }

    private static boolean additionalHas(List<DnsRecord> records, String name) {
        return records.stream().anyMatch(record -> record.name().equals(name));
    }

    /** The port number of the endpoint's slice for a service port (matched by name and protocol), or 0. */
    private static int slicePort(Target target, Port port) {
        for (Port candidate : target.ports()) {
            if (candidate.name().equals(port.name()) && candidate.protocol().equalsIgnoreCase(port.protocol())) {
                return candidate.port();
            }
        }
        return 0;
    }

    /** The service's named ports, narrowed to a name and a protocol when they are given (case-insensitive). */
    private static List<Port> namedPorts(View view, String name, String protocol) {
        List<Port> result = new ArrayList<>();
        for (Port port : view.service().ports()) {
            if (port.name().isEmpty()) {
                continue;
            }
            if ((name == null || port.name().equalsIgnoreCase(name)) && (protocol == null || port.protocol().equalsIgnoreCase(protocol))) {
                result.add(port);
            }
        }
        return result;
    }

    private DnsRecord soa() {
        return Records.soa(zone, serial, ttl);
    }

    private Answer noData() {
        return Answer.noData(soa());
    }

    private Answer nxDomain() {
        return Answer.nxDomain(soa());
    }

    private static String trimDots(String name) {
        String result = name;
        while (result.endsWith(".")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }
}
