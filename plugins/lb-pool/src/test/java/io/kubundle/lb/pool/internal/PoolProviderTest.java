package io.kubundle.lb.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.kubundle.api.loadbalancer.LoadBalancerException;
import io.kubundle.api.loadbalancer.LoadBalancerIngress;
import io.kubundle.api.loadbalancer.LoadBalancerRequest;

class PoolProviderTest {
    private final PoolProvider provider = new PoolProvider(new AddressPool("172.30.255.0/30, 10.1.0.10-10.1.0.11"));

    private static LoadBalancerRequest request(Map<String, Object> spec, List<LoadBalancerIngress> current, Set<String> inUse) {
        return new LoadBalancerRequest("default", "lb", "u1", Map.of("spec", spec), current, inUse);
    }

    @Test
    void poolsLeaveOutNetworkAndBroadcast() {
        AddressPool pool = new AddressPool("172.30.255.0/30");
        assertFalse(pool.contains("172.30.255.0"));
        assertTrue(pool.contains("172.30.255.1"));
        assertTrue(pool.contains("172.30.255.2"));
        assertFalse(pool.contains("172.30.255.3"));
        assertThrows(IllegalArgumentException.class, () -> new AddressPool("nonsense"));
    }

    @Test
    void givesTheLowestFreeAddressAndKeepsTheOneAServiceHas() throws Exception {
        assertEquals("172.30.255.1", provider.ensure(request(Map.of(), List.of(), Set.of())).get(0).ip());
        assertEquals("172.30.255.2", provider.ensure(request(Map.of(), List.of(), Set.of("172.30.255.1"))).get(0).ip());
        assertEquals("10.1.0.11", provider.ensure(request(Map.of(), List.of(LoadBalancerIngress.ofIp("10.1.0.11")),
                Set.of("172.30.255.1"))).get(0).ip(), "an address already given stays");
        assertThrows(LoadBalancerException.class, () -> provider.ensure(request(Map.of(), List.of(),
                Set.of("172.30.255.1", "172.30.255.2", "10.1.0.10", "10.1.0.11"))), "exhausted");
    }

    @Test
    void requestedAddresses() throws Exception {
        assertEquals("10.1.0.10", provider.ensure(request(Map.of("loadBalancerIP", "10.1.0.10"), List.of(), Set.of())).get(0).ip());
        LoadBalancerException outside = assertThrows(LoadBalancerException.class,
                () -> provider.ensure(request(Map.of("loadBalancerIP", "192.0.2.1"), List.of(), Set.of())));
        assertTrue(outside.getMessage().contains("not in the pool"));
        assertThrows(LoadBalancerException.class, () -> provider.ensure(request(Map.of("loadBalancerIP", "10.1.0.10"), List.of(),
                Set.of("10.1.0.10"))));
        LoadBalancerRequest annotated = new LoadBalancerRequest("default", "lb", "u1", Map.of("metadata", Map.of("annotations",
                Map.of(LoadBalancerRequest.REQUESTED_IP_ANNOTATION, "172.30.255.2"))), List.of(), Set.of());
        assertEquals("172.30.255.2", provider.ensure(annotated).get(0).ip());
    }

    @Test
    void anotherClassIsLeftAlone() throws Exception {
        assertEquals(List.of(), provider.ensure(request(Map.of("loadBalancerClass", "example.com/other"), List.of(), Set.of())));
    }
}
