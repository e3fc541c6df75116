package io.kubundle.dns.internal;

import static io.kubundle.dns.internal.Fixtures.clusterIp;
import static io.kubundle.dns.internal.Fixtures.externalName;
import static io.kubundle.dns.internal.Fixtures.headless;
import static io.kubundle.dns.internal.Fixtures.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;

/**
 * The server on 127.0.0.1, asked by Netty's real resolver (UDP, TCP fallback, search list), with
 * a second server of this plugin as its upstream (authoritative for {@code upstream.test}, 512-byte
 * UDP answers, so forwarding has to fall back to TCP for big ones).
 */
class DnsServerTest {
    private static EventLoopGroup group;
    private static DnsServer upstream;
    private static DnsServer server;
    private static DnsServer orphan;

    @BeforeAll
    static void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

        ClusterIndex upstreamIndex = new ClusterIndex();
        upstreamIndex.putService(clusterIp("default", "www", "10.1.1.1"));
        upstreamIndex.putService(headless("default", "big", false));
        upstreamIndex.putSlice(slice("default", "big-1", "big", 80, hundredEndpoints("10.2")));
        upstream = serve(upstreamIndex, "upstream.test", List.of(), 512);

        ClusterIndex index = new ClusterIndex();
        index.putService(clusterIp("default", "web", "10.96.0.10"));
        index.putService(headless("default", "nginx", false));
        index.putSlice(slice("default", "nginx-abc", "nginx", 8080, "10.244.1.5/web-0", "10.244.2.6/web-1"));
        index.putService(headless("default", "many", false));
        index.putSlice(slice("default", "many-1", "many", 80, hundredEndpoints("10.3")));
        index.putService(externalName("prod", "db", "www.default.svc.upstream.test"));
        server = serve(index, "cluster.local", List.of(upstream.address()), 1232);

        // forwards to a port nobody answers on
        orphan = serve(new ClusterIndex(), "cluster.local", List.of(new InetSocketAddress("127.0.0.1", freePort())), 1232);
    }

    @AfterAll
    static void stop() {
        for (DnsServer s : new DnsServer[] {server, upstream, orphan}) {
            if (s != null) {
                s.close();
            }
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static DnsServer serve(ClusterIndex index, String domain, List<InetSocketAddress> upstreams, int maxUdp) throws Exception {
        Forwarder forwarder = new Forwarder(group, upstreams, Duration.ofMillis(500));
        DnsServer result = new DnsServer(group, new InetSocketAddress("127.0.0.1", freePort()),
                new QueryHandler(new ClusterZone(index, domain, 30, () -> true), forwarder, maxUdp));
        result.bind();
        return result;
    }

    private static String[] hundredEndpoints(String prefix) {
        String[] endpoints = new String[100];
        for (int i = 0; i < 100; i++) {
            endpoints[i] = prefix + "." + (i / 50) + "." + (i % 50 + 1);
        }
        return endpoints;
    }

    static int freePort() throws Exception {
        while (true) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(), InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (java.net.BindException e) {
                // the UDP port of that number is taken: another
            }
        }
    }

    /** A resolver as a pod's would be: the pod's search list, ndots:5, TCP when a UDP answer is truncated. */
    private static DnsNameResolver resolver(DnsServer target, boolean tcpFallback, boolean edns) {
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder(group.next()).datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(new SingletonDnsServerAddressStreamProvider(target.address())).resolveCache(NoopDnsCache.INSTANCE)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY).queryTimeoutMillis(3000).optResourceEnabled(edns)
                .searchDomains(List.of("default.svc.cluster.local", "svc.cluster.local", "cluster.local")).ndots(5);
        if (tcpFallback) {
            builder.socketChannelType(NioSocketChannel.class);
        }
        return builder.build();
    }

    private static List<String> resolve(String name) throws Exception {
        try (DnsNameResolver resolver = resolver(server, true, true)) {
            return resolver.resolveAll(name).get().stream().map(InetAddress::getHostAddress).sorted().toList();
        }
    }

    /** The reply to one question: code, flags and records as text ({@code TYPE name data}). */
    private record Reply(DnsResponseCode code, boolean authoritative, boolean truncated, List<String> answers, List<String> authority) {
    }

    private static Reply ask(DnsServer target, String name, DnsRecordType type, boolean tcpFallback, boolean edns) throws Exception {
        try (DnsNameResolver resolver = resolver(target, tcpFallback, edns)) {
            AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = resolver.query(new DefaultDnsQuestion(name, type)).get();
            try {
                DnsResponse response = envelope.content();
                return new Reply(response.code(), response.isAuthoritativeAnswer(), response.isTruncated(), section(response,
                        DnsSection.ANSWER), section(response, DnsSection.AUTHORITY));
            } finally {
                envelope.release();
            }
        }
    }

    private static List<String> section(DnsResponse response, DnsSection section) {
        List<String> result = new ArrayList<>();
        for (int i = 0; i < response.count(section); i++) {
            DnsRecord record = response.recordAt(section, i);
            result.add(record.type().name() + " " + record.name());
        }
        return result;
    }

    @Test
    void aServiceResolvesByItsShortNameThroughThePodSearchList() throws Exception {
        assertEquals(List.of("10.96.0.10"), resolve("web"));
        assertEquals(List.of("10.96.0.10"), resolve("web.default"));
        assertEquals(List.of("10.96.0.10"), resolve("web.default.svc.cluster.local"));
        assertEquals(List.of("10.244.1.5", "10.244.2.6"), resolve("nginx"));
        assertEquals(List.of("10.244.1.5"), resolve("web-0.nginx"));
    }

    @Test
    void unknownNamesFailToResolve() {
        Exception failure = assertThrows(Exception.class, () -> resolve("nope.default.svc.cluster.local"));
        assertTrue(String.valueOf(failure.getCause()).contains("nope"), failure.toString());
    }

    @Test
    void nxDomainCarriesTheSoaAndAaaaOfAServiceIsNoData() throws Exception {
        Reply missing = ask(server, "nope.default.svc.cluster.local.", DnsRecordType.A, true, true);
        assertEquals(DnsResponseCode.NXDOMAIN, missing.code());
        assertTrue(missing.authoritative());
        assertEquals(List.of("SOA cluster.local."), missing.authority());

        Reply aaaa = ask(server, "web.default.svc.cluster.local.", DnsRecordType.AAAA, true, true);
        assertEquals(DnsResponseCode.NOERROR, aaaa.code());
        assertEquals(List.of(), aaaa.answers());
        assertEquals(List.of("SOA cluster.local."), aaaa.authority());
    }

    @Test
    void srvAndPtr() throws Exception {
        Reply srv = ask(server, "_web._tcp.nginx.default.svc.cluster.local.", DnsRecordType.SRV, true, true);
        assertEquals(List.of("SRV _web._tcp.nginx.default.svc.cluster.local.", "SRV _web._tcp.nginx.default.svc.cluster.local."),
                srv.answers());
        Reply ptr = ask(server, "10.0.96.10.in-addr.arpa.", DnsRecordType.PTR, true, true);
        assertEquals(List.of("PTR 10.0.96.10.in-addr.arpa."), ptr.answers());
    }

    @Test
    void namesOutsideTheClusterAreForwarded() throws Exception {
        Reply forwarded = ask(server, "www.default.svc.upstream.test.", DnsRecordType.A, true, true);
        assertEquals(DnsResponseCode.NOERROR, forwarded.code());
        assertEquals(List.of("A www.default.svc.upstream.test."), forwarded.answers());
        Reply missing = ask(server, "nope.default.svc.upstream.test.", DnsRecordType.A, true, true);
        assertEquals(DnsResponseCode.NXDOMAIN, missing.code());
        assertEquals(List.of("SOA upstream.test."), missing.authority());
    }

    @Test
    void anExternalNameIsItsCnameFollowedUpstream() throws Exception {
        Reply reply = ask(server, "db.prod.svc.cluster.local.", DnsRecordType.A, true, true);
        assertEquals(List.of("CNAME db.prod.svc.cluster.local.", "A www.default.svc.upstream.test."), reply.answers());
    }

    @Test
    void bigAnswersAreTruncatedOverUdpAndWholeOverTcp() throws Exception {
        for (String name : List.of("many.default.svc.cluster.local.", "big.default.svc.upstream.test.")) {
            Reply udp = ask(server, name, DnsRecordType.A, false, false);
            assertTrue(udp.truncated(), name);
            assertEquals(List.of(), udp.answers(), name);
            Reply tcp = ask(server, name, DnsRecordType.A, true, false);
            assertFalse(tcp.truncated(), name);
            assertEquals(100, tcp.answers().size(), name);
        }
        // 100 A records (16 bytes each with a compressed name) do not fit in a 1232-byte EDNS buffer either; two do
        assertTrue(ask(server, "many.default.svc.cluster.local.", DnsRecordType.A, false, true).truncated());
        assertEquals(2, ask(server, "nginx.default.svc.cluster.local.", DnsRecordType.A, false, true).answers().size());
    }

    @Test
    void upstreamNotAnsweringIsServfail() throws Exception {
        assertEquals(DnsResponseCode.SERVFAIL, ask(orphan, "example.com.", DnsRecordType.A, true, true).code());
    }

    @Test
    void garbageDoesNotStopTheServer() throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(300);
            socket.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, server.address()));
            assertThrows(SocketTimeoutException.class, () -> socket.receive(new DatagramPacket(new byte[512], 512)));
        }
        try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
            socket.getOutputStream().write(new byte[] {0, 3, 1, 2, 3});
            socket.setSoTimeout(2000);
            assertEquals(-1, socket.getInputStream().read());
        }
        assertEquals(List.of("10.96.0.10"), resolve("web"));
    }

    @Test
    void closingFreesThePort() throws Exception {
        DnsServer extra = serve(new ClusterIndex(), "cluster.local", List.of(), 512);
        assertTrue(extra.isBound());
        extra.close();
        assertFalse(extra.isBound());
        // NIO closes a socket registered with a selector at the loop's next select: soon, not at once
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            try (ServerSocket tcp = new ServerSocket(extra.address().getPort(), 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(extra.address())) {
                return;
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
