package io.kubundle.controller.service.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code kubernetes} Service in {@code default}, as kube-apiserver keeps it: ClusterIP the
 * first address of the range, port 443 named https to the API server's port, no selector, and an
 * Endpoints object of the same name listing the API server. Pods find the API server through it.
 *
 * @param ip the address the Service asks for (the range's first)
 * @param address the API server's address
 * @param port the API server's port
 */
record KubernetesService(String ip, String address, int port) {
    static final String NAMESPACE = "default";
    static final String NAME = "kubernetes";

    static boolean is(String namespace, String name) {
        return NAMESPACE.equals(namespace) && NAME.equals(name);
    }

    ObjectNode service() {
        ObjectNode service = JsonNodeFactory.instance.objectNode();
        service.put("apiVersion", "v1").put("kind", "Service");
        ObjectNode metadata = service.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE);
        metadata.putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = service.putObject("spec").put("type", "ClusterIP").put("clusterIP", ip).put("sessionAffinity", "None");
        spec.putArray("clusterIPs").add(ip);
        spec.putArray("ports").addObject().put("name", "https").put("port", 443).put("protocol", "TCP").put("targetPort", port);
        return service;
    }

    /** The subsets its Endpoints must have. */
    JsonNode subsets() {
        ObjectNode subset = JsonNodeFactory.instance.objectNode();
        subset.putArray("addresses").addObject().put("ip", address);
        subset.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
        return JsonNodeFactory.instance.arrayNode().add(subset);
    }

    ObjectNode endpoints() {
        ObjectNode endpoints = JsonNodeFactory.instance.objectNode();
        endpoints.put("apiVersion", "v1").put("kind", "Endpoints");
        endpoints.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE);
        endpoints.set("subsets", subsets());
        return endpoints;
    }

    /** This machine's first non-loopback IPv4 address that is up, else 127.0.0.1. */
    static String hostAddress() {
        try {
            for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!network.isUp() || network.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(network.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // below
        }
        return "127.0.0.1";
    }
}
