package io.kubundle.proxy.userspace.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The proxy's core with real sockets on loopback addresses (local already, so no link is needed):
 * two Netty backends that answer every TCP chunk and UDP datagram with their name, a Service fed
 * as JSON through {@link ServiceTable}, and plain Java clients.
 */
class ProxyCoreTest {
    EventLoopGroup group;
    UserspaceProxy proxy;
    final List<Channel> backends = new ArrayList<>();
    String clusterIp;
    int port;
    InetSocketAddress a;
    InetSocketAddress b;
    InetSocketAddress udpA;
    InetSocketAddress udpB;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        a = tcpBackend("127.0.0.21", "a");
        b = tcpBackend("127.0.0.22", "b");
        udpA = udpBackend("127.0.0.21", "a");
        udpB = udpBackend("127.0.0.22", "b");
        clusterIp = "127.0.0." + (30 + ThreadLocalRandom.current().nextInt(200));
        port = freePort(clusterIp);
        proxy = new UserspaceProxy(group, UserspaceProxy.Addresses.NONE, true, 300);
    }

    @AfterEach
    void stop() {
        proxy.close();
        for (Channel backend : backends) {
            backend.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    static int freePort(String ip) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, ServiceTable.literal(ip)); DatagramSocket udp = new DatagramSocket(socket.getLocalPort(),
                ServiceTable.literal(ip))) {
            return socket.getLocalPort();
        }
    }

    private InetSocketAddress tcpBackend(String ip, String name) {
        Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                ctx.writeAndFlush(Unpooled.copiedBuffer(name + ":" + msg.toString(UTF_8), UTF_8));
                            }
                        });
                    }
                }).bind(ip, 0).syncUninterruptibly().channel();
        backends.add(channel);
        return (InetSocketAddress) channel.localAddress();
    }

    private InetSocketAddress udpBackend(String ip, String name) {
        Channel channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<io.netty.channel.socket.DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, io.netty.channel.socket.DatagramPacket msg) {
                        ctx.writeAndFlush(new io.netty.channel.socket.DatagramPacket(
                                Unpooled.copiedBuffer(name + ":" + msg.content().toString(UTF_8), UTF_8), msg.sender()));
                    }
                }).bind(ip, 0).syncUninterruptibly().channel();
        backends.add(channel);
        return (InetSocketAddress) channel.localAddress();
    }

    /** A Service {@code default/web} on clusterIp:port (TCP {@code http}, UDP {@code dns}) and a slice with these endpoints. */
    private int feed(String affinity, int nodePort, InetSocketAddress... endpoints) {
        List<JsonNode> slices = new ArrayList<>();
        for (InetSocketAddress endpoint : endpoints) {
            slices.add(slice(endpoint, "'ready':true"));
        }
        return apply(service(nodePort > 0 ? "NodePort" : "ClusterIP", affinity, nodePort, "", ""), slices);
    }

    /** This proxy's node: endpoints on it are local. */
    static final String NODE = "node-1";

    private int apply(JsonNode service, List<JsonNode> slices) {
        return proxy.apply(ServiceTable.read(List.of(service), slices, NODE));
    }

    /**
     * {@code default/web} of this type on clusterIp:port (TCP {@code http} with this node port,
     * UDP {@code dns}); {@code spec} is added to its spec, {@code top} after it (a status).
     */
    private JsonNode service(String type, String affinity, int nodePort, String spec, String top) {
        return ServiceTableTest.json("{'metadata':{'namespace':'default','name':'web'},'spec':{'type':'" + type + "','clusterIP':'"
                + clusterIp + "','sessionAffinity':'" + affinity + "','ports':[{'name':'http','port':" + port + ",'nodePort':" + nodePort
                + "},{'name':'dns','protocol':'UDP','port':" + port + "}]" + spec + "}" + top + "}");
    }

    /** A slice of {@code web} with one endpoint and these conditions; one port per protocol: the backends of a test share them. */
    private JsonNode slice(InetSocketAddress endpoint, String conditions) {
        return slice(endpoint, conditions, NODE);
    }

    /** As {@link #slice(InetSocketAddress, String)}, the endpoint on {@code nodeName}. */
    private JsonNode slice(InetSocketAddress endpoint, String conditions, String nodeName) {
        int udpPort = endpoint.equals(a) ? udpA.getPort() : endpoint.equals(b) ? udpB.getPort() : endpoint.getPort();
        return ServiceTableTest.json("{'metadata':{'namespace':'default','name':'web-" + endpoint.getPort()
                + "','labels':{'kubernetes.io/service-name':'web'}},'addressType':'IPv4','ports':[{'name':'http','port':"
                + endpoint.getPort() + "},{'name':'dns','protocol':'UDP','port':" + udpPort + "}],'endpoints':[{'addresses':['"
                + endpoint.getAddress().getHostAddress() + "'],'nodeName':'" + nodeName + "','conditions':{" + conditions + "}}]}");
    }

    /** A loopback address in 127.0.{@code block}.0/24 (cluster IPs are in 127.0.0.0/24): local already, like the test's cluster IP. */
    private static String loopback(int block) {
        return "127.0." + block + "." + (1 + ThreadLocalRandom.current().nextInt(254));
    }

    private static String ask(Socket socket, String what) throws IOException {
        socket.getOutputStream().write(what.getBytes(UTF_8));
        byte[] buffer = new byte[256];
        int n = socket.getInputStream().read(buffer);
        return n < 0 ? "EOF" : new String(buffer, 0, n, UTF_8);
    }

    private String once(String ip, int toPort) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(3000);
            socket.connect(new InetSocketAddress(ServiceTable.literal(ip), toPort), 3000);
            return ask(socket, "hi");
        }
    }

    @Test
    void tcpRoundRobinOverBothBackends() throws Exception {
        assertEquals(0, feed("None", 0, a, b));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(once(clusterIp, port));
        }
        assertEquals(List.of("a:hi", "b:hi", "a:hi", "b:hi"), answers);
    }

    @Test
    void aClientThatShutsItsOutputAfterTheRequestStillGetsTheAnswer() throws Exception {
        feed("None", 0, a);
        try (Socket socket = new Socket(ServiceTable.literal(clusterIp), port)) {
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("GET".getBytes(UTF_8));
            socket.shutdownOutput(); // as busybox nc does at the end of its input
            assertEquals("a:GET", new String(socket.getInputStream().readAllBytes(), UTF_8), "the answer, then the end");
        }
    }

    @Test
    void clientIpAffinityKeepsOneBackend() throws Exception {
        feed("ClientIP", 0, a, b);
        String first = once(clusterIp, port);
        for (int i = 0; i < 5; i++) {
            assertEquals(first, once(clusterIp, port));
        }
    }

    @Test
    void aRemovedEndpointGetsNoNewConnectionsButKeepsItsOpenOnes() throws Exception {
        feed("None", 0, a, b);
        assertEquals("a:hi", once(clusterIp, port));
        try (Socket toB = new Socket(ServiceTable.literal(clusterIp), port)) {
            toB.setSoTimeout(3000);
            assertEquals("b:1", ask(toB, "1"));
            assertEquals(0, feed("None", 0, a));
            for (int i = 0; i < 3; i++) {
                assertEquals("a:hi", once(clusterIp, port));
            }
            assertEquals("b:2", ask(toB, "2"), "the connection made before the removal still works");
        }
    }

    /** A connection to {@code ip:toPort} is refused or reset at once, never answered nor left hanging. */
    private static void assertRefusedAtOnce(String ip, int toPort) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(2000);
            long started = System.nanoTime();
            // the reset may come while connecting (accepted, then reset at once) or at the first read
            IOException refused = assertThrows(IOException.class, () -> {
                socket.connect(new InetSocketAddress(ServiceTable.literal(ip), toPort), 2000);
                socket.getOutputStream().write("hi".getBytes(UTF_8));
                if (socket.getInputStream().read() < 0) {
                    throw new IOException("EOF");
                }
            });
            assertTrue(!(refused instanceof SocketTimeoutException), "closed, not left hanging: " + refused);
            assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(1000), "refused at once");
        }
    }

    @Test
    void noEndpointsResetsAtOnce() throws Exception {
        feed("None", 0);
        assertRefusedAtOnce(clusterIp, port);
        // endpoints come back: served again on the same listener
        feed("None", 0, b);
        assertEquals("b:hi", once(clusterIp, port));
    }

    @Test
    void servingTerminatingEndpointsServeWhileNoneIsReady() throws Exception {
        JsonNode clusterIpService = service("ClusterIP", "None", 0, "", "");
        JsonNode draining = slice(a, "'ready':false,'serving':true,'terminating':true");
        assertEquals(0, apply(clusterIpService, List.of(draining, slice(b, "'ready':false,'serving':false,'terminating':true"))));
        assertEquals(List.of("a:hi", "a:hi", "a:hi"), List.of(once(clusterIp, port), once(clusterIp, port), once(clusterIp, port)),
                "only the one still serving");
        apply(clusterIpService, List.of(draining, slice(b, "'ready':true")));
        assertEquals(List.of("b:hi", "b:hi"), List.of(once(clusterIp, port), once(clusterIp, port)), "a ready one: the draining one rests");
    }

    @Test
    void externalTrafficPolicyLocalUsesThisNodesEndpointsOnly() throws Exception {
        int nodePort = freePort("0.0.0.0");
        String external = loopback(1);
        JsonNode local = service("NodePort", "None", nodePort, ",'externalIPs':['" + external + "'],'externalTrafficPolicy':'Local'", "");
        assertEquals(0, apply(local, List.of(slice(a, "'ready':true", NODE), slice(b, "'ready':true", "node-2"))));
        assertEquals(List.of("a:hi", "a:hi", "a:hi"), List.of(once("127.0.0.1", nodePort), once(external, port), once("127.0.0.1", nodePort)),
                "node port and external IP: b runs on another node");
        assertEquals(List.of("a:hi", "b:hi"), List.of(once(clusterIp, port), once(clusterIp, port)), "the cluster IP uses both");
        InetSocketAddress externalUdp = new InetSocketAddress(ServiceTable.literal(external), port);
        try (DatagramSocket client = new DatagramSocket(0, ServiceTable.literal("127.0.0.1"))) {
            client.setSoTimeout(3000);
            assertEquals(List.of("a:1", "a:2"), List.of(udp(client, externalUdp, "1"), udp(client, externalUdp, "2")));
        }
        // this node's endpoint goes: refused here (another node may have one), while the cluster IP still serves
        assertEquals(0, apply(local, List.of(slice(b, "'ready':true", "node-2"))));
        assertRefusedAtOnce("127.0.0.1", nodePort);
        assertRefusedAtOnce(external, port);
        assertEquals("b:hi", once(clusterIp, port));
        try (DatagramSocket client = new DatagramSocket(0, ServiceTable.literal("127.0.0.1"))) {
            client.setSoTimeout(500);
            assertThrows(SocketTimeoutException.class, () -> udp(client, externalUdp, "3"), "no local endpoint: dropped");
        }
        // the policy back to Cluster: the node port uses b
        assertEquals(0, apply(service("NodePort", "None", nodePort, "", ""), List.of(slice(b, "'ready':true", "node-2"))));
        assertEquals("b:hi", once("127.0.0.1", nodePort));
    }

    @Test
    void internalTrafficPolicyLocalUsesThisNodesEndpointsForTheClusterIp() throws Exception {
        int nodePort = freePort("0.0.0.0");
        JsonNode local = service("NodePort", "None", nodePort, ",'internalTrafficPolicy':'Local'", "");
        assertEquals(0, apply(local, List.of(slice(a, "'ready':true", "node-2"), slice(b, "'ready':true", NODE))));
        assertEquals(List.of("b:hi", "b:hi", "b:hi"), List.of(once(clusterIp, port), once(clusterIp, port), once(clusterIp, port)));
        assertEquals(List.of("a:hi", "b:hi"), List.of(once("127.0.0.1", nodePort), once("127.0.0.1", nodePort)),
                "the node port follows externalTrafficPolicy (Cluster)");
        apply(local, List.of(slice(a, "'ready':true", "node-2")));
        assertRefusedAtOnce(clusterIp, port);
    }

    @Test
    void nodePortOnEveryAddressAndGoneWithTheService() throws Exception {
        int nodePort = freePort("0.0.0.0");
        feed("None", nodePort, a);
        assertEquals("a:hi", once("127.0.0.1", nodePort));
        assertEquals("a:hi", once("127.0.0.99", nodePort));
        assertEquals(0, proxy.apply(Map.of()));
        assertEquals(java.util.Set.of(), proxy.listening());
        assertThrows(IOException.class, () -> once("127.0.0.1", nodePort));
        assertThrows(IOException.class, () -> once(clusterIp, port));
    }

    @Test
    void externalAndLoadBalancerIpsAnswerLikeTheClusterIp() throws Exception {
        String external = loopback(1);
        String ingress = loopback(2);
        String spec = ",'externalIPs':['" + external + "']";
        String status = ",'status':{'loadBalancer':{'ingress':[{'ip':'" + ingress + "'}]}}";
        assertEquals(0, apply(service("LoadBalancer", "None", 0, spec, status), List.of(slice(a, "'ready':true"), slice(b, "'ready':true"))));
        assertEquals(List.of("a:hi", "b:hi", "a:hi"), List.of(once(external, port), once(ingress, port), once(clusterIp, port)),
                "one round robin whichever address the client used");
        try (DatagramSocket client = new DatagramSocket(0, ServiceTable.literal("127.0.0.1"))) {
            client.setSoTimeout(3000);
            assertEquals("a:x", udp(client, new InetSocketAddress(ServiceTable.literal(ingress), port), "x"));
        }
        // the pool takes its address back: that listener goes, the others stay
        assertEquals(0, apply(service("LoadBalancer", "None", 0, spec, ""), List.of(slice(a, "'ready':true"))));
        assertThrows(IOException.class, () -> once(ingress, port));
        assertEquals("a:hi", once(external, port));
        assertEquals(2 * 2, proxy.listening().size(), "cluster and external IP, TCP and UDP");
    }

    @Test
    void udpSessionsRoundRobinAndIdleOut() throws Exception {
        feed("None", 0, a, b);
        InetSocketAddress frontend = new InetSocketAddress(ServiceTable.literal(clusterIp), port);
        try (DatagramSocket one = new DatagramSocket(0, ServiceTable.literal("127.0.0.1"));
                DatagramSocket two = new DatagramSocket(0, ServiceTable.literal("127.0.0.1"))) {
            one.setSoTimeout(3000);
            two.setSoTimeout(3000);
            assertEquals("a:x", udp(one, frontend, "x"));
            assertEquals("b:y", udp(two, frontend, "y"), "a second client, the next endpoint");
            assertEquals("a:z", udp(one, frontend, "z"), "a client's session keeps its endpoint");
            Thread.sleep(800); // idle timeout 300 ms
            assertEquals("a:w", udp(two, frontend, "w"), "an idle session closed: the next datagram chooses again");
        }
        feed("None", 0);
        try (DatagramSocket three = new DatagramSocket(0, ServiceTable.literal("127.0.0.1"))) {
            three.setSoTimeout(500);
            assertThrows(SocketTimeoutException.class, () -> udp(three, frontend, "v"), "no endpoints: dropped");
        }
    }

    private static String udp(DatagramSocket socket, InetSocketAddress to, String what) throws IOException {
        byte[] data = what.getBytes(UTF_8);
        socket.send(new DatagramPacket(data, data.length, to));
        DatagramPacket answer = new DatagramPacket(new byte[256], 256);
        socket.receive(answer);
        assertEquals(to, answer.getSocketAddress(), "the answer comes from the service's address");
        return new String(answer.getData(), 0, answer.getLength(), UTF_8);
    }

    @Test
    void closeEndsListenersAndProxiedConnections() throws Exception {
        feed("None", 0, a);
        try (Socket open = new Socket(ServiceTable.literal(clusterIp), port)) {
            open.setSoTimeout(3000);
            assertEquals("a:1", ask(open, "1"));
            assertTrue(proxy.connections() >= 2);
            proxy.close();
            assertEquals("EOF", ask(open, "2"), "the proxied connection is closed");
        } catch (java.net.SocketException reset) {
            // closed while writing: as good
        }
        assertThrows(IOException.class, () -> once(clusterIp, port));
        proxy.close(); // idempotent
    }

    @Test
    void handoverWaitsOnlyWhileNewConnectionsCome() throws Exception {
        feed("None", 0, a);
        assertTrue(proxy.awaitQuiet(300, 3000) < 100, "never a connection: no wait");
        assertEquals("a:hi", once(clusterIp, port));
        long waited = proxy.awaitQuiet(300, 3000);
        assertTrue(waited >= 200 && waited < 1000, "waits out the quiet time after the last connection: " + waited);
        Thread load = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < end) {
                try {
                    once(clusterIp, port);
                    Thread.sleep(50);
                } catch (Exception e) {
                    return;
                }
            }
        });
        load.start();
        Thread.sleep(100);
        waited = proxy.awaitQuiet(300, 800);
        load.join();
        assertTrue(waited >= 750 && waited < 1200, "connections keep coming: waits to the limit: " + waited);
    }
}
