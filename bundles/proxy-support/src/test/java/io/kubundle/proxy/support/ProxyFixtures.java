package io.kubundle.proxy.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Service ports and endpoints for the proxies' tests, and a snapshot holder a test changes between syncs. */
public final class ProxyFixtures {
    private ProxyFixtures() {
    }

    public static ServicePort clusterIp(String ns, String name, String portName, String ip, int port) {
        return new ServicePort(ns, name, portName, "TCP", ip, port, 0, List.of(), 0, false);
    }

    public static Endpoint ready(String ip, int port) {
        return new Endpoint(ip, port, true, true, false, false);
    }

    /** A mutable snapshot. */
    public static final class State {
        public final Map<String, ServicePort> ports = new HashMap<>();
        public final Map<String, List<Endpoint>> endpoints = new HashMap<>();
        public volatile String podCidr = "";

        public State put(ServicePort port, Endpoint... eps) {
            ports.put(ServiceModel.key(port), port);
            endpoints.put(ServiceModel.key(port), new ArrayList<>(List.of(eps)));
            return this;
        }

        public State remove(ServicePort port) {
            ports.remove(ServiceModel.key(port));
            endpoints.remove(ServiceModel.key(port));
            return this;
        }

        public Snapshot snapshot() {
            Map<String, List<Endpoint>> copy = new HashMap<>();
            endpoints.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new Snapshot(Map.copyOf(ports), copy, podCidr);
        }

        /**
         * The benchmark's cluster: {@code services} Services in namespace {@code bench} (every other
         * one a NodePort, 30000 + i), cluster IPs from 10.96.0.1, {@code endpoints} ready endpoints
         * each from 10.244.0.1 on port 8080; the ports in order.
         */
        public List<ServicePort> bench(int services, int endpoints) {
            List<ServicePort> made = new ArrayList<>();
            for (int i = 0; i < services; i++) {
                ServicePort port = new ServicePort("bench", "svc-" + i, "http", "TCP", "10.96." + (i / 250) + "." + (i % 250 + 1), 80,
                        i % 2 == 0 ? 30000 + i : 0, List.of(), 0, false);
                Endpoint[] eps = new Endpoint[endpoints];
                for (int e = 0; e < endpoints; e++) {
                    int n = i * endpoints + e;
                    eps[e] = ready("10.244." + (n / 250) + "." + (n % 250 + 1), 8080);
                }
                made.add(port);
                put(port, eps);
            }
            return made;
        }
    }
}
