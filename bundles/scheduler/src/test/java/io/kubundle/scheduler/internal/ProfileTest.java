package io.kubundle.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Score;
import io.kubundle.scheduler.internal.plugins.NodeName;
import io.kubundle.scheduler.internal.plugins.NodeResourcesFit;

class ProfileTest {
    private static Score score(String name) {
        return new Score() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long score(CycleState state, PodInfo pod, NodeInfo node) {
                return 0;
            }
        };
    }

    @Test
    void theDefaultsAreKubeSchedulersPlugins() {
        ProfileConfig config = ProfileConfig.defaults();
        assertEquals(List.of("default-scheduler"), List.copyOf(config.schedulerNames()));
        ProfileConfig.Spec spec = config.profiles().get(0);
        assertEquals(3, spec.plugins().get("TaintToleration"));
        assertEquals(List.of("NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodeResourcesFit", "PodTopologySpread",
                "InterPodAffinity", "NodeResourcesBalancedAllocation", "DefaultPreemption", "DefaultBinder"), List.copyOf(spec.plugins().keySet()));
        assertEquals(1_000, config.initialBackoffMillis());
        assertEquals(10_000, config.maxBackoffMillis());
        assertEquals(300_000, config.unschedulableTimeoutMillis());
    }

    @Test
    void aMissingPluginIsReportedAndJoinersComeAfterTheListedOnes() {
        ProfileConfig config = ProfileConfig.parse(Map.of("profiles", "default-scheduler, batch",
                "profile.default-scheduler.plugins", "NodeName, NodeResourcesFit:2, Vendor:7",
                "profile.batch.plugins", "NodeName", "profile.batch.disabled", "Joiner"));
        List<Profile.Registration> registered = List.of(
                new Profile.Registration(new NodeName(), "NodeName", 0, 1, List.of(), 1),
                new Profile.Registration(new NodeResourcesFit(), "NodeResourcesFit", 0, 2, List.of(), 1),
                new Profile.Registration(score("Joiner"), "Joiner", 0, 3, List.of("*"), 4));
        Profile main = Profile.resolve(config.profiles().get(0), registered);
        assertEquals(List.of("Vendor"), main.missing);
        assertEquals(List.of("NodeName", "NodeResourcesFit", "Joiner"), main.pluginNames);
        assertEquals(2, main.scoreWeights[0]);
        assertEquals(4, main.scoreWeights[1], "a joiner's weight is its own");
        Profile batch = Profile.resolve(config.profiles().get(1), registered);
        assertTrue(batch.complete());
        assertEquals(List.of("NodeName"), batch.pluginNames, "disabled joiners stay out");
    }

    @Test
    void ofTwoPluginsWithOneNameTheHigherRankingWins() {
        Score low = score("Same");
        Score high = score("Same");
        ProfileConfig.Spec spec = ProfileConfig.parse(Map.of("profile.default-scheduler.plugins", "Same")).profiles().get(0);
        Profile profile = Profile.resolve(spec, List.of(new Profile.Registration(low, "Same", 0, 1, List.of(), 1),
                new Profile.Registration(high, "Same", 10, 2, List.of(), 1)));
        assertTrue(profile.scores.get(0) == high);
    }

    @Test
    void badConfigurationIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProfileConfig.parse(Map.of("profile.default-scheduler.plugins", "NodeName:heavy")));
        assertTrue(e.getMessage().contains("bad weight"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProfileConfig.parse(Map.of("percentageOfNodesToScore", "150")));
    }
}
