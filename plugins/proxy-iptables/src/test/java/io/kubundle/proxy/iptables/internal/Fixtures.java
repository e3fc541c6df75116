package io.kubundle.proxy.iptables.internal;

import java.util.List;

/** The iptables proxy's settings for tests; service ports, endpoints and snapshots are in {@code ProxyFixtures}. */
final class Fixtures {
    private Fixtures() {
    }

    static RuleGenerator.Settings settings() {
        return new RuleGenerator.Settings("KUBE", 14, "10.244.0.0/16", false, List.of(), true);
    }
}
