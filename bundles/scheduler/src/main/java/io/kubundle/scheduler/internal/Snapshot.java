package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.NodeInfo;

/** The nodes of one scheduling attempt: an array of immutable NodeInfos; lookups are built on first use. */
final class Snapshot implements ClusterSnapshot {
    private final NodeInfo[] nodes;
    private final List<NodeInfo> list;
    private final boolean anyAffinity;
    private final boolean anyRequiredAntiAffinity;
    private Map<String, NodeInfo> byName;
    private List<NodeInfo> withAffinity;
    private List<NodeInfo> withRequiredAntiAffinity;

    Snapshot(NodeInfo[] nodes, boolean anyAffinity, boolean anyRequiredAntiAffinity) {
        this.nodes = nodes;
        this.list = java.util.Collections.unmodifiableList(Arrays.asList(nodes));
        this.anyAffinity = anyAffinity;
        this.anyRequiredAntiAffinity = anyRequiredAntiAffinity;
    }

    /** A snapshot of these nodes (tests). */
    static Snapshot of(List<NodeInfo> nodes) {
        boolean affinity = nodes.stream().anyMatch(node -> !node.podsWithAffinity().isEmpty());
        boolean anti = nodes.stream().anyMatch(node -> !node.podsWithRequiredAntiAffinity().isEmpty());
        return new Snapshot(nodes.toArray(NodeInfo[]::new), affinity, anti);
    }

    @Override
    public List<NodeInfo> nodes() {
        return list;
    }

    int size() {
        return nodes.length;
    }

    NodeInfo get(int index) {
        return nodes[index];
    }

    @Override
    public NodeInfo node(String name) {
        if (byName == null) {
            Map<String, NodeInfo> map = new HashMap<>(nodes.length * 2);
            for (NodeInfo node : nodes) {
                map.put(node.name(), node);
            }
            byName = map;
        }
        return byName.get(name);
    }

    @Override
    public List<NodeInfo> nodesWithAffinityPods() {
        if (!anyAffinity) {
            return List.of();
        }
        if (withAffinity == null) {
            List<NodeInfo> found = new ArrayList<>();
            for (NodeInfo node : nodes) {
                if (!node.podsWithAffinity().isEmpty()) {
                    found.add(node);
                }
            }
            withAffinity = List.copyOf(found);
        }
        return withAffinity;
    }

    @Override
    public List<NodeInfo> nodesWithRequiredAntiAffinityPods() {
        if (!anyRequiredAntiAffinity) {
            return List.of();
        }
        if (withRequiredAntiAffinity == null) {
            List<NodeInfo> found = new ArrayList<>();
            for (NodeInfo node : nodes) {
                if (!node.podsWithRequiredAntiAffinity().isEmpty()) {
                    found.add(node);
                }
            }
            withRequiredAntiAffinity = List.copyOf(found);
        }
        return withRequiredAntiAffinity;
    }
}
