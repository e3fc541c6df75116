package io.kubundle.net.cni.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;

/**
 * Reads the pod's addresses from a CNI result: the {@code ips} of 0.3.x, 0.4.0 and 1.0.0 results
 * (only those on an interface inside the sandbox, or on none named), or the {@code ip4}/{@code ip6}
 * of 0.1.0 and 0.2.0 results.
 */
final class CniResult {
    private CniResult() { }

    /** The pod's attachment described by {@code result}. */
    static Attachment attachment(String plugin, String interfaceName, JsonNode result) throws NetworkFailure {
        if (result == null || !result.isObject()) {
            throw new NetworkFailure("the CNI plugins gave no result");
        }
        List<String[]> ips = new ArrayList<>(); // address, gateway
        if (result.has("ips")) {
            JsonNode interfaces = result.path("interfaces");
            for (JsonNode ip : result.path("ips")) {
                JsonNode index = ip.path("interface");
                boolean inSandbox = !index.isInt() || !interfaces.has(index.asInt())
                        || !interfaces.get(index.asInt()).path("sandbox").asText().isEmpty();
                if (inSandbox) {
                    ips.add(new String[] {withoutPrefix(ip.path("address").asText()), text(ip.path("gateway"))});
                }
            }
        } else {
            for (String family : List.of("ip4", "ip6")) {
                JsonNode ip = result.path(family);
                if (ip.isObject()) {
                    ips.add(new String[] {withoutPrefix(ip.path("ip").asText()), text(ip.path("gateway"))});
                }
            }
        }
        ips.removeIf(ip -> ip[0].isEmpty());
        ips.sort(Comparator.comparing(ip -> ip[0].contains(":"))); // IPv4 first, stable
        String gateway = ips.stream().map(ip -> ip[1]).filter(g -> g != null).findFirst().orElse(defaultGateway(result));
        return new Attachment(plugin, interfaceName, ips.stream().map(ip -> ip[0]).toList(), gateway);
    }

    /** The gateway of the result's IPv4 default route, if any (a result of {@code ptp} has no ip gateway). */
    private static String defaultGateway(JsonNode result) {
        for (JsonNode route : result.path("routes")) {
            if ("0.0.0.0/0".equals(route.path("dst").asText()) && route.hasNonNull("gw")) {
                return route.path("gw").asText();
            }
        }
        return null;
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    private static String withoutPrefix(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
