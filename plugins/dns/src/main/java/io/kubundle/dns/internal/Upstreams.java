package io.kubundle.dns.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where names outside the cluster go: configured servers, or the host's {@code resolv.conf} nameservers. */
final class Upstreams {
    private Upstreams() {
    }

    /**
     * The configured servers ({@code host} or {@code host:port}, {@code [v6]:port}) when there are
     * any, else the nameservers of {@code resolvConf}; never {@code listen} itself (that would loop).
     * Loopback stubs such as systemd-resolved's 127.0.0.53 are kept: it is the node that asks them.
     */
    static List<InetSocketAddress> of(String[] configured, Path resolvConf, InetSocketAddress listen) throws IOException {
        List<String> servers = new ArrayList<>();
        for (String server : configured) {
            if (!server.isBlank()) {
                servers.add(server.strip());
            }
        }
        if (servers.isEmpty() && Files.isReadable(resolvConf)) {
            servers.addAll(nameservers(Files.readAllLines(resolvConf)));
        }
        List<InetSocketAddress> result = new ArrayList<>();
        for (String server : servers) {
            InetSocketAddress address = parse(server);
            if (!address.equals(listen) && !result.contains(address)) {
                result.add(address);
            }
        }
        return result;
    }

    /** The {@code nameserver} lines' addresses, in order. */
    static List<String> nameservers(List<String> lines) {
        List<String> result = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver") && Addresses.isIp(words[1].replaceFirst("%.*$", ""))) {
                result.add(words[1].replaceFirst("%.*$", ""));
            }
        }
        return result;
    }

    /** {@code 1.2.3.4}, {@code 1.2.3.4:5353}, {@code fd00::1}, {@code [fd00::1]:5353}; port 53 unless given. */
    static InetSocketAddress parse(String server) {
        String host = server;
        int port = 53;
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            host = server.substring(1, close);
            if (server.length() > close + 1 && server.charAt(close + 1) == ':') {
                port = Integer.parseInt(server.substring(close + 2));
            }
        } else if (server.indexOf(':') == server.lastIndexOf(':') && server.indexOf(':') > 0) {
            host = server.substring(0, server.indexOf(':'));
            port = Integer.parseInt(server.substring(server.indexOf(':') + 1));
        }
        byte[] bytes = Addresses.bytes(host);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address: " + server);
        }
        return new InetSocketAddress(Addresses.text(bytes), port);
    }
}
