package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.client.admin.AdminClient;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
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
 * The DNS plugin installed into a running {@code master} (with a simulated node) through
 * {@code kubundle bundles install}, configured by {@code etc/io.kubundle.dns.cfg} to listen on
 * 127.0.0.1 on a high port without its interface. Services and EndpointSlices made with kubectl
 * (no selectors: the slices are the test's, as a user could make them) are asked for with Netty's
 * resolver, the way a pod's resolv.conf would have it ask; a StatefulSet's pods by name through the
 * slices the endpoints controller makes; then the bundle is swapped, uninstalled
 * (port closed, no thread left) and installed again; last, with the interface on (an address of the
 * test's own, port 53), the link is made, a "pod" (a network namespace routed to the host over a
 * veth pair) resolves with busybox nslookup, and the link goes with the bundle.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DnsIT {
    private static final String BSN = "io.kubundle.dns";
    /** A name and address of the test's own, not the defaults a node on this machine would use. */
    private static final String LINK = "kbdns-it";
    private static final String LINK_ADDRESS = "169.254.20.97";
    private static final String POD_NETNS = "kbdns-it-pod";
    private static final String POD_VETH = "kbdns-it-veth";

    @TempDir
    static Path dir;

    static SimCluster cluster;
    static Path data;
    static int port;
    static EventLoopGroup group;

    @BeforeAll
    static void start() throws Exception {
        cleanUpLinks();
        cluster = SimCluster.start(dir, 1);
        data = dir.resolve("data");
        port = RolesIT.freePort();
        configure("127.0.0.1", port, false);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        install(jar("netty-codec-dns-"));
        install(jar("kubundle-dns-"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        } finally {
            cleanUpLinks();
        }
    }

    /** What the test makes on the host, also after a run that died half-way. */
    private static void cleanUpLinks() throws Exception {
        ip("link", "del", LINK);
        ip("link", "del", POD_VETH);
        ip("netns", "del", POD_NETNS);
    }

    private static void configure(String address, int listenPort, boolean createInterface) throws Exception {
        // upstream: a port nobody answers on, so that names outside the cluster fail fast
        Files.writeString(cluster.distribution.home.resolve("etc/io.kubundle.dns.cfg"), "listenAddress=" + address + "\nport="
                + listenPort + "\ncreateInterface=" + createInterface + "\ninterfaceName=" + LINK + "\nupstreams=127.0.0.1:"
                + RolesIT.freePort() + "\nupstreamTimeoutMillis=300\n");
    }

    private static Path jar(String prefix) throws Exception {
        try (var files = Files.list(cluster.distribution.home.resolve("bundles"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    private static void install(Path jar) throws Exception {
        Distribution.Result installed = cluster.distribution.kubundle("bundles", "install", jar.toString(), "--data-dir",
                data.toString());
        assertEquals(0, installed.exitCode(), installed.err());
        assertTrue(installed.out().startsWith("installed "), installed.out());
    }

    private static Distribution.Result ip(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        return Distribution.run(command);
    }

    /** A resolver as a pod in {@code default} has it: the search list, ndots:5, TCP when UDP is truncated. */
    private static DnsNameResolver resolver(InetSocketAddress server) {
        return new DnsNameResolverBuilder(group.next()).datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class).nameServerProvider(new SingletonDnsServerAddressStreamProvider(server))
                .resolveCache(NoopDnsCache.INSTANCE).resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY).queryTimeoutMillis(2000)
                .searchDomains(List.of("default.svc.cluster.local", "svc.cluster.local", "cluster.local")).ndots(5).build();
    }

    private static InetSocketAddress server() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The addresses {@code name} resolves to through the search list, sorted; empty when it does not resolve. */
    private static List<String> resolve(InetSocketAddress server, String name) {
        try (DnsNameResolver resolver = resolver(server)) {
            return resolver.resolveAll(name).get(10, TimeUnit.SECONDS).stream().map(InetAddress::getHostAddress).sorted().toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    /** The reply to one question as text: the code, then each answer ({@code TYPE data}). */
    private static List<String> ask(String name, DnsRecordType type) throws Exception {
        try (DnsNameResolver resolver = resolver(server())) {
            AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = resolver.query(new DefaultDnsQuestion(name, type))
                    .get(10, TimeUnit.SECONDS);
            try {
                DnsResponse response = envelope.content();
                List<String> result = new ArrayList<>(List.of("rcode " + response.code().intValue()));
                for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                    result.add(text(response.recordAt(DnsSection.ANSWER, i)));
                }
                for (int i = 0; i < response.count(DnsSection.AUTHORITY); i++) {
                    result.add("authority " + response.recordAt(DnsSection.AUTHORITY, i).type().name());
                }
                return result;
            } finally {
                envelope.release();
            }
        }
    }

    private static String text(DnsRecord record) {
        if (record instanceof DnsPtrRecord ptr) {
            return "PTR " + ptr.hostname();
        }
        var content = ((DnsRawRecord) record).content();
        if (record.type() == DnsRecordType.A) {
            return "A " + content.getUnsignedByte(content.readerIndex()) + "." + content.getUnsignedByte(content.readerIndex() + 1) + "."
                    + content.getUnsignedByte(content.readerIndex() + 2) + "." + content.getUnsignedByte(content.readerIndex() + 3);
        }
        if (record.type() == DnsRecordType.SRV) {
            return "SRV " + content.getUnsignedShort(content.readerIndex() + 4);
        }
        return record.type().name();
    }

    private static void awaitResolves(InetSocketAddress server, String name, List<String> addresses) throws InterruptedException {
        Await.until(() -> resolve(server, name).equals(addresses), () -> name + " resolves to " + addresses + ", not "
                + resolve(server, name), 30);
    }

    private static final String SERVICES = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              clusterIP: 10.96.0.50
              ports: [{name: http, port: 80, protocol: TCP}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: nginx}
            spec:
              clusterIP: None
              ports: [{name: web, port: 80, protocol: TCP}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: nginx-1
              labels: {kubernetes.io/service-name: nginx}
            addressType: IPv4
            ports: [{name: web, port: 8080, protocol: TCP}]
            endpoints:
            - {addresses: [10.244.1.10], hostname: web-0, conditions: {ready: true}}
            - {addresses: [10.244.1.11], hostname: web-1, conditions: {ready: true}}
            - {addresses: [10.244.1.12], hostname: web-2, conditions: {ready: false}}
            """;

    @Test
    @Order(1)
    void servicesHeadlessEndpointsSrvAndPtrFromTheCluster() throws Exception {
        kubectlApply("services.yaml", SERVICES);
        String clusterIp = cluster.kubectl("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}").strip();
        assertEquals("10.96.0.50", clusterIp);
        awaitResolves(server(), "web", List.of(clusterIp));
        assertEquals(List.of(clusterIp), resolve(server(), "web.default.svc.cluster.local"));
        assertEquals(List.of("10.244.1.10", "10.244.1.11"), resolve(server(), "nginx"));
        assertEquals(List.of("10.244.1.10"), resolve(server(), "web-0.nginx.default.svc.cluster.local"));
        assertEquals(List.of(), resolve(server(), "web-2.nginx"), "a not-ready endpoint has no name");

        assertEquals(List.of("rcode 0", "SRV 8080", "SRV 8080"), ask("_web._tcp.nginx.default.svc.cluster.local.", DnsRecordType.SRV));
        assertEquals(List.of("rcode 0", "SRV 80"), ask("_http._tcp.web.default.svc.cluster.local.", DnsRecordType.SRV));
        assertEquals(List.of("rcode 0", "PTR web.default.svc.cluster.local."), ask("50.0.96.10.in-addr.arpa.", DnsRecordType.PTR));
        assertEquals(List.of("rcode 0", "PTR web-1.nginx.default.svc.cluster.local."), ask("11.1.244.10.in-addr.arpa.",
                DnsRecordType.PTR));
        assertEquals(List.of("rcode 3", "authority SOA"), ask("nope.default.svc.cluster.local.", DnsRecordType.A));
        assertEquals(List.of("rcode 0", "authority SOA"), ask("web.default.svc.cluster.local.", DnsRecordType.AAAA));
        assertEquals(List.of("rcode 0", "A 10.244.3.4"), ask("10-244-3-4.default.pod.cluster.local.", DnsRecordType.A));
        assertEquals(List.of("rcode 2"), ask("example.com.", DnsRecordType.A), "upstream does not answer");
        assertTrue(clusterDnsRegistered(), "the ClusterDns service is registered");
    }

    @Test
    @Order(2)
    void changesInTheClusterReachDns() throws Exception {
        cluster.kubectl("patch", "endpointslice", "nginx-1", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/endpoints/2/conditions/ready\",\"value\":true}]");
        awaitResolves(server(), "nginx", List.of("10.244.1.10", "10.244.1.11", "10.244.1.12"));
        cluster.kubectl("delete", "endpointslice", "nginx-1");
        Await.until(() -> {
            try {
                return ask("nginx.default.svc.cluster.local.", DnsRecordType.A).equals(List.of("rcode 0", "authority SOA"));
            } catch (Exception e) {
                return false;
            }
        }, () -> "nginx has no address left", 30);
        cluster.kubectl("delete", "service", "web");
        Await.until(() -> {
            try {
                return ask("web.default.svc.cluster.local.", DnsRecordType.A).get(0).equals("rcode 3");
            } catch (Exception e) {
                return false;
            }
        }, () -> "web is gone", 30);
        kubectlApply("services.yaml", SERVICES);
        awaitResolves(server(), "web", List.of("10.96.0.50"));
        awaitResolves(server(), "nginx", List.of("10.244.1.10", "10.244.1.11"));
    }

    @Test
    @Order(3)
    void statefulPodsByNameThroughTheEndpointsController() throws Exception {
        kubectlApply("statefulset.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: sts}
                spec:
                  clusterIP: None
                  selector: {app: sts}
                  ports: [{name: web, port: 80, targetPort: web}]
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  serviceName: sts
                  replicas: 2
                  selector: {matchLabels: {app: sts}}
                  template:
                    metadata: {labels: {app: sts}}
                    spec:
                      containers: [{name: c, image: "nginx:1", ports: [{name: web, containerPort: 8080}]}]
                """);
        List<String> ips = new ArrayList<>();
        for (String pod : List.of("db-0", "db-1")) {
            Await.until(() -> !cluster.kubectl("get", "pod", pod, "--ignore-not-found", "-o", "jsonpath={.status.podIP}").isBlank(),
                    () -> pod + " has an IP", 60);
            String ip = cluster.kubectl("get", "pod", pod, "-o", "jsonpath={.status.podIP}").strip();
            awaitResolves(server(), pod + ".sts", List.of(ip));
            ips.add(ip);
        }
        awaitResolves(server(), "sts", ips.stream().sorted().toList());
        assertEquals(List.of("rcode 0", "SRV 8080", "SRV 8080"), ask("_web._tcp.sts.default.svc.cluster.local.", DnsRecordType.SRV));
    }

    @Test
    @Order(4)
    void swappedUninstalledAndInstalledAgain() throws Exception {
        cluster.swap(BSN, "kubundle-dns-", "9.0.0");
        awaitResolves(server(), "web", List.of("10.96.0.50"));
        assertTrue(clusterDnsRegistered());

        Distribution.Result removed = cluster.distribution.kubundle("bundles", "uninstall", BSN, "--data-dir", data.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        assertFalse(tcpOpen(port), "the TCP port is closed");
        assertEquals(List.of(), resolve(server(), "web"), "nothing answers on the UDP port");
        assertEquals(List.of(), dnsThreads(), "no thread of the plugin is left");
        assertFalse(clusterDnsRegistered());

        install(jar("kubundle-dns-"));
        awaitResolves(server(), "web", List.of("10.96.0.50"));
        assertTrue(tcpOpen(port));
    }

    @Test
    @Order(5)
    void withTheInterfaceTheLinkComesAndGoesWithTheBundleAndAPodReachesIt() throws Exception {
        assertFalse(ip("link", "show", "dev", LINK).exitCode() == 0, LINK + " is not there before");
        // port 53, as pods need it: the address is the test's own, so nothing else listens there
        configure(LINK_ADDRESS, 53, true);
        InetSocketAddress onLink = new InetSocketAddress(LINK_ADDRESS, 53);
        awaitResolves(onLink, "web", List.of("10.96.0.50"));
        String addresses = ip("-o", "addr", "show", "dev", LINK).out();
        assertTrue(addresses.contains(" " + LINK_ADDRESS + "/32 "), addresses);
        assertFalse(tcpOpen(port), "the old configuration's port is closed");

        // a "pod": a network namespace whose default route goes to the host over a veth pair
        ip("netns", "add", POD_NETNS);
        must(ip("link", "add", POD_VETH, "type", "veth", "peer", "name", "eth0", "netns", POD_NETNS));
        must(ip("addr", "add", "10.254.77.1/30", "dev", POD_VETH));
        must(ip("link", "set", POD_VETH, "up"));
        must(ip("-n", POD_NETNS, "addr", "add", "10.254.77.2/30", "dev", "eth0"));
        must(ip("-n", POD_NETNS, "link", "set", "eth0", "up"));
        must(ip("-n", POD_NETNS, "route", "add", "default", "via", "10.254.77.1"));
        Distribution.Result lookup = Distribution.run(List.of("ip", "netns", "exec", POD_NETNS, "busybox", "nslookup",
                "web.default.svc.cluster.local", LINK_ADDRESS));
        assertTrue(lookup.out().contains("10.96.0.50"), "busybox nslookup in the pod: " + lookup.out() + lookup.err());
        Distribution.Result srv = Distribution.run(List.of("ip", "netns", "exec", POD_NETNS, "busybox", "nslookup", "-type=srv",
                "_web._tcp.nginx.default.svc.cluster.local", LINK_ADDRESS));
        assertTrue(srv.out().contains("web-0.nginx.default.svc.cluster.local"), "SRV in the pod: " + srv.out() + srv.err());

        Distribution.Result removed = cluster.distribution.kubundle("bundles", "uninstall", BSN, "--data-dir", data.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        Distribution.Result link = ip("link", "show", "dev", LINK);
        assertTrue(link.exitCode() != 0, "the link is removed with the bundle: " + link.out());
    }

    private static void must(Distribution.Result result) {
        assertEquals(0, result.exitCode(), result.err());
    }

    private static void kubectlApply(String file, String yaml) throws Exception {
        cluster.kubectl("apply", "-f", cluster.manifest(file, yaml).toString());
    }

    private static boolean clusterDnsRegistered() throws Exception {
        for (JsonNode bundle : AdminClient.forDataDir(data).list().path("bundles")) {
            for (JsonNode service : bundle.path("services")) {
                if (service.path("objectClass").toString().contains("\"io.kubundle.api.dns.ClusterDns\"")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean tcpOpen(int tcpPort) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", tcpPort), 2000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    /** The master's threads named after the plugin's event loops. */
    private static List<String> dnsThreads() throws Exception {
        Distribution.Result dump = Distribution.run(List.of("jcmd", Long.toString(cluster.up.process.pid()), "Thread.print"));
        assertEquals(0, dump.exitCode(), dump.err());
        return dump.out().lines().filter(line -> line.startsWith("\"kubundle-dns")).toList();
    }
}
