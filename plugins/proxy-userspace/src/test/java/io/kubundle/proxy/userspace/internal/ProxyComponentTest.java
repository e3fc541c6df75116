package io.kubundle.proxy.userspace.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class ProxyComponentTest {
    @Test
    void nodeNameConfiguredThenFromTheCommandLineThenTheHostName() {
        assertEquals("w1", ProxyComponent.nodeName(" w1 ", "w2"));
        assertEquals("w2", ProxyComponent.nodeName("", "w2 "));
        String host = ProxyComponent.nodeName(" ", null);
        assertFalse(host.isBlank(), "the host's name");
        assertEquals(host.toLowerCase(java.util.Locale.ROOT), host, "in lower case, as the kubelet registers it");
    }
}
