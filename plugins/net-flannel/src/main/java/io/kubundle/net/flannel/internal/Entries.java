package io.kubundle.net.flannel.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the VTEP has, as {@code ip -j -4 route show dev D}, {@code ip -j -4 neigh show dev D} and
 * {@code bridge -j fdb show dev D} report it, and what it should have for a set of peers.
 * {@link #changesTo} is the whole reconciliation: what to replace and what to delete.
 */
record Entries(Set<Route> routes, Set<Neighbour> neighbours, Set<Forwarding> forwardings) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A route through the VTEP; {@code dst} as {@code ip} prints it, canonical CIDR when it is one. */
    record Route(String dst, String gateway, boolean onlink) {
    }

    /** A neighbour (ARP) entry on the VTEP. */
    record Neighbour(String ip, String mac, boolean permanent) {
    }

    /** A forwarding database entry: frames for {@code mac} go in UDP to {@code dst}. */
    record Forwarding(String mac, String dst) {
    }

    Entries {
        // in the order given (peers by name, or as the kernel printed them), so commands come in a stable order
        routes = Collections.unmodifiableSet(new LinkedHashSet<>(routes));
        neighbours = Collections.unmodifiableSet(new LinkedHashSet<>(neighbours));
        forwardings = Collections.unmodifiableSet(new LinkedHashSet<>(forwardings));
    }

    /** What the VTEP should have for {@code peers}: per peer a route, a permanent neighbour and an FDB entry. */
    static Entries wanted(List<Peer> peers) {
        Set<Route> routes = new LinkedHashSet<>();
        Set<Neighbour> neighbours = new LinkedHashSet<>();
        Set<Forwarding> forwardings = new LinkedHashSet<>();
        for (Peer peer : peers) {
            routes.add(new Route(peer.subnet().toString(), peer.gateway(), true));
            neighbours.add(new Neighbour(peer.gateway(), peer.vtepMac(), true));
            forwardings.add(new Forwarding(peer.vtepMac(), peer.publicIp()));
        }
        return new Entries(routes, neighbours, forwardings);
    }

    /** Reads the three JSON reports; an empty report (no entries) may be blank. */
    static Entries parse(String routesJson, String neighboursJson, String fdbJson) throws IOException {
        Set<Route> routes = new LinkedHashSet<>();
        for (JsonNode route : array(routesJson)) {
            String dst = route.path("dst").asText("");
            if (dst.isEmpty()) {
                continue;
            }
            boolean onlink = false;
            for (JsonNode flag : route.path("flags")) {
                onlink |= "onlink".equals(flag.asText());
            }
            routes.add(new Route(canonical(dst), route.path("gateway").asText(""), onlink));
        }
        Set<Neighbour> neighbours = new LinkedHashSet<>();
        for (JsonNode neighbour : array(neighboursJson)) {
            boolean permanent = false;
            for (JsonNode state : neighbour.path("state")) {
                permanent |= "PERMANENT".equals(state.asText());
            }
            String mac = neighbour.path("lladdr").asText("").toLowerCase(Locale.ROOT);
            neighbours.add(new Neighbour(neighbour.path("dst").asText(), mac, permanent));
        }
        Set<Forwarding> forwardings = new LinkedHashSet<>();
        for (JsonNode entry : array(fdbJson)) {
            // entries without a destination (the device's own, learnt ones) are not ours to manage
            if (entry.hasNonNull("dst") && entry.hasNonNull("mac")) {
                forwardings.add(new Forwarding(entry.get("mac").asText().toLowerCase(Locale.ROOT), entry.get("dst").asText()));
            }
        }
        return new Entries(routes, neighbours, forwardings);
    }

    /**
     * The commands that turn this (what the VTEP {@code device} has) into {@code wanted}: first the
     * {@code replace}s of what is missing or different (FDB, neighbour, then route, as flannel adds a
     * peer), then the deletions of what no peer wants (route, neighbour, then FDB). Empty when
     * nothing differs, so a repeat is free.
     */
    List<List<String>> changesTo(Entries wanted, String device) {
        List<List<String>> commands = new ArrayList<>();
        for (Forwarding entry : wanted.forwardings()) {
            if (!forwardings.contains(entry)) {
                commands.add(List.of("bridge", "fdb", "replace", entry.mac(), "dev", device, "dst", entry.dst(), "self",
                        "permanent"));
            }
        }
        for (Neighbour neighbour : wanted.neighbours()) {
            if (!neighbours.contains(neighbour)) {
                commands.add(List.of("ip", "neigh", "replace", neighbour.ip(), "lladdr", neighbour.mac(), "dev", device, "nud",
                        "permanent"));
            }
        }
        for (Route route : wanted.routes()) {
            if (!routes.contains(route)) {
                commands.add(List.of("ip", "route", "replace", route.dst(), "via", route.gateway(), "dev", device, "onlink"));
            }
        }
        Set<String> wantedDsts = new LinkedHashSet<>();
        wanted.routes().forEach(route -> wantedDsts.add(route.dst()));
        for (Route route : routes) {
            if (!wantedDsts.contains(route.dst())) {
                commands.add(List.of("ip", "route", "del", route.dst(), "dev", device));
            }
        }
        Set<String> wantedIps = new LinkedHashSet<>();
        wanted.neighbours().forEach(neighbour -> wantedIps.add(neighbour.ip()));
        for (Neighbour neighbour : neighbours) {
            if (!wantedIps.contains(neighbour.ip())) {
                commands.add(List.of("ip", "neigh", "del", neighbour.ip(), "dev", device));
            }
        }
        for (Forwarding entry : forwardings) {
            if (!wanted.forwardings().contains(entry)) {
                commands.add(List.of("bridge", "fdb", "del", entry.mac(), "dev", device, "dst", entry.dst(), "self"));
            }
        }
        return commands;
    }

    private static String canonical(String dst) {
        try {
            return Subnet.parse(dst).toString();
        } catch (IllegalArgumentException e) {
            // "default" and the like: kept as printed, so that deleting it names it the same way
            return dst;
        }
    }

    private static JsonNode array(String json) throws IOException {
        if (json == null || json.isBlank()) {
            return JSON.createArrayNode();
        }
        JsonNode tree = JSON.readTree(json);
        if (!tree.isArray()) {
            throw new IOException("expected a JSON array, got: " + json.strip());
        }
        return tree;
    }
}
