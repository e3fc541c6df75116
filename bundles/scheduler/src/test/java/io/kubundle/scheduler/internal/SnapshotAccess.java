package io.kubundle.scheduler.internal;

import java.util.List;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.NodeInfo;

/** Snapshots for the plugins' tests. */
public final class SnapshotAccess {
    private SnapshotAccess() {
    }

    public static ClusterSnapshot of(List<NodeInfo> nodes) {
        return Snapshot.of(nodes);
    }
}
