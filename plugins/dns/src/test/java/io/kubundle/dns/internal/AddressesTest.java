package io.kubundle.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void literalsOnly() {
        assertEquals("10.1.2.3", Addresses.text(Addresses.bytes("10.1.2.3")));
        assertNull(Addresses.bytes("10.1.2"));
        assertNull(Addresses.bytes("example.com"));
        assertNull(Addresses.bytes("256.1.1.1"));
        assertEquals(16, Addresses.bytes("fd00::1").length);
    }

    @Test
    void reverseNames() {
        assertEquals("10.96.0.10", Addresses.fromReverse("10.0.96.10.in-addr.arpa"));
        assertNull(Addresses.fromReverse("0.96.10.in-addr.arpa"));
        assertEquals(Addresses.text(Addresses.bytes("fd00::1")), Addresses.fromReverse(
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa"));
    }

    @Test
    void dashedLabels() {
        assertEquals("10-244-1-5", Addresses.dashed("10.244.1.5"));
        assertEquals("10.244.1.5", Addresses.undashed("10-244-1-5"));
        assertNull(Addresses.undashed("web-0"));
    }

    @Test
    void upstreamsFromResolvConfSkipTheListenAddress() throws Exception {
        assertEquals(List.of("127.0.0.53", "10.0.0.2"), Upstreams.nameservers(List.of("# comment", "nameserver 127.0.0.53",
                "search example.com", "nameserver 10.0.0.2", "nameserver example.com")));
        assertEquals(new InetSocketAddress("10.0.0.2", 5353), Upstreams.parse("10.0.0.2:5353"));
        assertEquals(new InetSocketAddress("fd00:0:0:0:0:0:0:1", 53), Upstreams.parse("fd00::1"));
        assertEquals(new InetSocketAddress("fd00:0:0:0:0:0:0:1", 54), Upstreams.parse("[fd00::1]:54"));
        java.nio.file.Path conf = java.nio.file.Files.createTempFile("resolv", ".conf");
        try {
            java.nio.file.Files.writeString(conf, "nameserver 169.254.20.10\nnameserver 127.0.0.53\n");
            assertEquals(List.of(new InetSocketAddress("127.0.0.53", 53)), Upstreams.of(new String[0], conf,
                    new InetSocketAddress("169.254.20.10", 53)));
            assertEquals(List.of(new InetSocketAddress("10.9.9.9", 53)), Upstreams.of(new String[] {"10.9.9.9"}, conf,
                    new InetSocketAddress("169.254.20.10", 53)));
        } finally {
            java.nio.file.Files.delete(conf);
        }
    }
}
