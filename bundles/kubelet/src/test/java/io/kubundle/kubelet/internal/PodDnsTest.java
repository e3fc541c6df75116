package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubundle.api.dns.ClusterDns;

class PodDnsTest {
    private static final ClusterDns DNS = new ClusterDns() {
        @Override
        public String address() {
            return "169.254.20.10";
        }

        @Override
        public String clusterDomain() {
            return "cluster.local";
        }

        @Override
        public List<String> searches(String namespace) {
            return List.of(namespace + ".svc.cluster.local", "svc.cluster.local", "cluster.local");
        }

        @Override
        public List<String> options() {
            return List.of("ndots:5");
        }
    };

    private static Pod pod(String policy, boolean hostNetwork) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("shop").endMetadata()
                .withNewSpec().withDnsPolicy(policy).withHostNetwork(hostNetwork).endSpec().build();
    }

    @Test
    void clusterFirstIsTheDefaultAndUsesTheNamespacesSearchList() {
        assertEquals("nameserver 169.254.20.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n",
                PodDns.of(pod(null, false), Optional.of(DNS)).resolvConf());
        assertEquals(PodDns.of(pod(null, false), Optional.of(DNS)), PodDns.of(pod("ClusterFirst", false), Optional.of(DNS)));
    }

    @Test
    void hostNetworkPodsAndDefaultGetTheNodesFileUnlessClusterFirstWithHostNet() {
        assertNull(PodDns.of(pod("ClusterFirst", true), Optional.of(DNS)));
        assertNull(PodDns.of(pod("Default", false), Optional.of(DNS)));
        assertEquals(List.of("169.254.20.10"), PodDns.of(pod("ClusterFirstWithHostNet", true), Optional.of(DNS)).servers());
    }

    @Test
    void withoutAClusterDnsClusterFirstFallsBackToTheNodesFile() {
        assertNull(PodDns.of(pod("ClusterFirst", false), Optional.empty()));
    }

    @Test
    void dnsConfigAddsAndNoneTakesOnlyIt() {
        Pod none = new PodBuilder(pod("None", false)).editSpec().withNewDnsConfig().withNameservers("1.1.1.1", "8.8.8.8",
                "9.9.9.9", "1.0.0.1").withSearches("example.com").addNewOption().withName("ndots").withValue("2").endOption()
                .addNewOption().withName("edns0").endOption().endDnsConfig().endSpec().build();
        assertEquals("nameserver 1.1.1.1\nnameserver 8.8.8.8\nnameserver 9.9.9.9\nsearch example.com\noptions ndots:2 edns0\n",
                PodDns.of(none, Optional.of(DNS)).resolvConf());

        Pod extra = new PodBuilder(pod("ClusterFirst", false)).editSpec().withNewDnsConfig().withSearches("svc.cluster.local", "corp")
                .addNewOption().withName("ndots").withValue("1").endOption().endDnsConfig().endSpec().build();
        assertEquals("nameserver 169.254.20.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp\noptions ndots:1\n",
                PodDns.of(extra, Optional.of(DNS)).resolvConf());
    }
}
