package io.kubundle.dns.internal;

import static io.kubundle.dns.internal.Fixtures.clusterIp;
import static io.kubundle.dns.internal.Fixtures.externalName;
import static io.kubundle.dns.internal.Fixtures.headless;
import static io.kubundle.dns.internal.Fixtures.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;

class ClusterZoneTest {
    private final ClusterIndex index = new ClusterIndex();
    private final AtomicBoolean synced = new AtomicBoolean(true);
    private final ClusterZone zone = new ClusterZone(index, "cluster.local", 30, synced::get);

    @BeforeEach
    void services() {
        index.putService(clusterIp("default", "web", "10.96.0.10"));
        index.putService(headless("default", "nginx", false));
        index.putSlice(slice("default", "nginx-abc", "nginx", 8080, "10.244.1.5/web-0", "10.244.2.6/web-1", "10.244.3.7/web-2!"));
        index.putService(externalName("prod", "db", "db.example.com."));
    }

    @Test
    void aClusterIpServiceIsItsClusterIp() {
        Answer answer = zone.answer("web.default.svc.cluster.local.", DnsRecordType.A);
        assertEquals(DnsResponseCode.NOERROR, answer.code());
        assertTrue(answer.authoritative());
        assertEquals(List.of("10.96.0.10"), addresses(answer.answers()));
        assertEquals(30, answer.answers().get(0).timeToLive());
        assertEquals("web.default.svc.cluster.local.", answer.answers().get(0).name());
    }

    @Test
    void namesAreCaseInsensitiveAndAnsweredAsAsked() {
        Answer answer = zone.answer("WEB.Default.svc.Cluster.Local", DnsRecordType.A);
        assertEquals(List.of("10.96.0.10"), addresses(answer.answers()));
        assertEquals("WEB.Default.svc.Cluster.Local.", answer.answers().get(0).name());
    }

    @Test
    void aHeadlessServiceIsItsReadyEndpoints() {
        assertEquals(List.of("10.244.1.5", "10.244.2.6"), addresses(zone.answer("nginx.default.svc.cluster.local", DnsRecordType.A)
                .answers()));
    }

    @Test
    void publishNotReadyAddressesAddsTheEndpointsNotReady() {
        index.putService(headless("default", "nginx", true));
        assertEquals(List.of("10.244.1.5", "10.244.2.6", "10.244.3.7"), addresses(zone.answer("nginx.default.svc.cluster.local",
                DnsRecordType.A).answers()));
    }

    @Test
    void endpointsComeAndGoWithTheirSlices() {
        index.putSlice(slice("default", "nginx-def", "nginx", 8080, "10.244.4.8"));
        assertEquals(3, zone.answer("nginx.default.svc.cluster.local", DnsRecordType.A).answers().size());
        index.removeSlice("default", "nginx-abc");
        assertEquals(List.of("10.244.4.8"), addresses(zone.answer("nginx.default.svc.cluster.local", DnsRecordType.A).answers()));
        assertEquals(DnsResponseCode.NXDOMAIN, zone.answer("web-0.nginx.default.svc.cluster.local", DnsRecordType.A).code());
        assertEquals(List.of("10-244-4-8.nginx.default.svc"), index.namesOf("10.244.4.8"));
        assertEquals(List.of(), index.namesOf("10.244.1.5"));
    }

    @Test
    void statefulPodsHaveTheirHostnameUnderTheService() {
        assertEquals(List.of("10.244.1.5"), addresses(zone.answer("web-0.nginx.default.svc.cluster.local", DnsRecordType.A).answers()));
        // an endpoint without a hostname has its dashed address
        index.putSlice(slice("default", "nginx-def", "nginx", 8080, "10.244.4.8"));
        assertEquals(List.of("10.244.4.8"), addresses(zone.answer("10-244-4-8.nginx.default.svc.cluster.local", DnsRecordType.A)
                .answers()));
        // a not-ready one is not there
        assertEquals(DnsResponseCode.NXDOMAIN, zone.answer("web-2.nginx.default.svc.cluster.local", DnsRecordType.A).code());
    }

    @Test
    void unknownNamesAreNxDomainWithTheSoa() {
        for (String name : List.of("nope.default.svc.cluster.local", "web.nope.svc.cluster.local", "a.b.c.d.e.svc.cluster.local",
                "whatever.cluster.local", "web-9.nginx.default.svc.cluster.local", "_x._tcp.web.default.svc.cluster.local")) {
            Answer answer = zone.answer(name, DnsRecordType.A);
            assertEquals(DnsResponseCode.NXDOMAIN, answer.code(), name);
            assertTrue(answer.answers().isEmpty(), name);
            assertEquals(DnsRecordType.SOA, answer.authority().get(0).type(), name);
            assertEquals("cluster.local.", answer.authority().get(0).name());
        }
    }

    @Test
    void existingNamesWithoutTheTypeAreNoData() {
        for (String name : List.of("web.default.svc.cluster.local", "nginx.default.svc.cluster.local", "default.svc.cluster.local",
                "svc.cluster.local", "cluster.local", "pod.cluster.local")) {
            Answer answer = zone.answer(name, DnsRecordType.AAAA);
            assertEquals(DnsResponseCode.NOERROR, answer.code(), name);
            assertTrue(answer.answers().isEmpty(), name);
            assertEquals(DnsRecordType.SOA, answer.authority().get(0).type(), name);
        }
        assertEquals(DnsRecordType.SOA, zone.answer("cluster.local", DnsRecordType.SOA).answers().get(0).type());
    }

    @Test
    void srvForANamedPortOfAClusterIpService() {
        Answer answer = zone.answer("_http._tcp.web.default.svc.cluster.local", DnsRecordType.SRV);
        assertEquals(List.of("0 100 80 web.default.svc.cluster.local."), srv(answer.answers()));
        assertEquals(List.of("10.96.0.10"), addresses(answer.additional()));
        assertEquals(List.of("0 100 53 web.default.svc.cluster.local."), srv(zone.answer("_dns._udp.web.default.svc.cluster.local",
                DnsRecordType.SRV).answers()));
        // the protocol must match; unnamed ports have no SRV
        assertEquals(DnsResponseCode.NXDOMAIN, zone.answer("_dns._tcp.web.default.svc.cluster.local", DnsRecordType.SRV).code());
        // on the service's name: every named port
        assertEquals(2, zone.answer("web.default.svc.cluster.local", DnsRecordType.SRV).answers().size());
    }

    @Test
    void srvOfAHeadlessServiceNamesEachEndpointWithTheSlicePort() {
        Answer answer = zone.answer("_web._tcp.nginx.default.svc.cluster.local", DnsRecordType.SRV);
        assertEquals(List.of("0 50 8080 web-0.nginx.default.svc.cluster.local.", "0 50 8080 web-1.nginx.default.svc.cluster.local."),
                srv(answer.answers()));
        assertEquals(List.of("10.244.1.5", "10.244.2.6"), addresses(answer.additional()));
    }

    @Test
    void ptrForClusterIpsAndHeadlessEndpoints() {
        assertEquals(List.of("web.default.svc.cluster.local."), ptr(zone.answer("10.0.96.10.in-addr.arpa.", DnsRecordType.PTR)));
        assertEquals(List.of("web-0.nginx.default.svc.cluster.local."), ptr(zone.answer("5.1.244.10.in-addr.arpa", DnsRecordType.PTR)));
        // an address the cluster does not know goes upstream
        assertSame(Answer.FORWARD, zone.answer("1.1.168.192.in-addr.arpa.", DnsRecordType.PTR));
        index.removeService("default", "web");
        assertSame(Answer.FORWARD, zone.answer("10.0.96.10.in-addr.arpa.", DnsRecordType.PTR));
    }

    @Test
    void podNamesAreTheirDashedAddress() {
        assertEquals(List.of("10.244.1.5"), addresses(zone.answer("10-244-1-5.default.pod.cluster.local", DnsRecordType.A).answers()));
        assertEquals(DnsResponseCode.NXDOMAIN, zone.answer("10-244-1.default.pod.cluster.local", DnsRecordType.A).code());
        assertEquals(DnsResponseCode.NXDOMAIN, zone.answer("300-1-1-1.default.pod.cluster.local", DnsRecordType.A).code());
    }

    @Test
    void externalNameIsACnameChasedUpstream() {
        Answer answer = zone.answer("db.prod.svc.cluster.local", DnsRecordType.A);
        assertEquals(DnsRecordType.CNAME, answer.answers().get(0).type());
        assertEquals("db.example.com.", name(answer.answers().get(0)));
        assertEquals("db.example.com.", answer.chase());
        // a target inside the cluster is answered here
        index.putService(externalName("prod", "alias", "web.default.svc.cluster.local"));
        Answer local = zone.answer("alias.prod.svc.cluster.local", DnsRecordType.A);
        assertEquals(null, local.chase());
        assertEquals(List.of("10.96.0.10"), addresses(local.answers()));
    }

    @Test
    void otherNamesGoUpstream() {
        assertSame(Answer.FORWARD, zone.answer("example.com.", DnsRecordType.A));
        assertSame(Answer.FORWARD, zone.answer("notcluster.local.", DnsRecordType.A));
    }

    @Test
    void beforeTheInformersHaveListedTheClusterNamesFailSoClientsRetry() {
        synced.set(false);
        assertSame(Answer.NOT_READY, zone.answer("web.default.svc.cluster.local", DnsRecordType.A));
        assertSame(Answer.FORWARD, zone.answer("example.com.", DnsRecordType.A));
    }

    @Test
    void aDeletedServiceIsGoneWithItsNamespace() {
        index.removeService("prod", "db");
        assertEquals(DnsResponseCode.NXDOMAIN, zone.answer("prod.svc.cluster.local", DnsRecordType.A).code());
        assertFalse(index.hasNamespace("prod"));
        assertTrue(index.hasNamespace("default"));
    }

    static List<String> addresses(List<DnsRecord> records) {
        List<String> result = new ArrayList<>();
        for (DnsRecord record : records) {
            if (record.type() == DnsRecordType.A || record.type() == DnsRecordType.AAAA) {
                ByteBuf content = ((DnsRawRecord) record).content();
                byte[] bytes = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), bytes);
                result.add(Addresses.text(bytes));
            }
        }
        return result;
    }

    private static List<String> srv(List<DnsRecord> records) {
        List<String> result = new ArrayList<>();
        for (DnsRecord record : records) {
            ByteBuf content = ((DnsRawRecord) record).content().duplicate();
            result.add(content.readUnsignedShort() + " " + content.readUnsignedShort() + " " + content.readUnsignedShort() + " "
                    + DefaultDnsRecordDecoder.decodeName(content));
        }
        return result;
    }

    private static List<String> ptr(Answer answer) {
        return answer.answers().stream().map(record -> ((DnsPtrRecord) record).hostname()).toList();
    }

    private static String name(DnsRecord record) {
        return DefaultDnsRecordDecoder.decodeName(((DnsRawRecord) record).content().duplicate());
    }
}
