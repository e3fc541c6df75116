package io.kubundle.proxy.iptables.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Service ports and endpoints for tests, and a snapshot holder a test changes between syncs. */
final class Fixtures {
    private Fixtures() {
    }

    static ServicePort clusterIp(String ns, String name, String portName, String ip, int port) {
        return new ServicePort(ns, name, portName, "TCP", ip, port, 0, List.of(), 0, false);
    }

    static Endpoint ready(String ip, int port) {
        return new Endpoint(ip, port, true, true, false, false);
    }

    static RuleGenerator.Settings settings() {
        return new RuleGenerator.Settings("KUBE", 14, "10.244.0.0/16", false, List.of(), true);
    }

    /** A mutable snapshot. */
    static final class State {
        final Map<String, ServicePort> ports = new HashMap<>();
        final Map<String, List<Endpoint>> endpoints = new HashMap<>();

        State put(ServicePort port, Endpoint... eps) {
            ports.put(ServiceModel.key(port), port);
            endpoints.put(ServiceModel.key(port), new ArrayList<>(List.of(eps)));
            return this;
        }

        State remove(ServicePort port) {
            ports.remove(ServiceModel.key(port));
            endpoints.remove(ServiceModel.key(port));
            return this;
        }

        Snapshot snapshot() {
            Map<String, List<Endpoint>> copy = new HashMap<>();
            endpoints.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new Snapshot(Map.copyOf(ports), copy, "");
        }
    }
}
