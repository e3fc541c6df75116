package io.kubundle.dns.internal;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsPtrRecord;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;

/** Builds the resource records the server answers with. Names are absolute (ending in a dot). */
final class Records {
    private Records() {
    }

    /** An A or AAAA record, as the address is IPv4 or IPv6. */
    static DnsRecord address(String name, String ip, long ttl) {
        byte[] bytes = Addresses.bytes(ip);
        return new DefaultDnsRawRecord(name, bytes.length == 4 ? DnsRecordType.A : DnsRecordType.AAAA, ttl, Unpooled.wrappedBuffer(bytes));
    }

    static DnsRecord cname(String name, String target, long ttl) {
        ByteBuf content = Unpooled.buffer();
        writeName(content, target);
        return new DefaultDnsRawRecord(name, DnsRecordType.CNAME, ttl, content);
    }

    static DnsRecord ptr(String name, String target, long ttl) {
        return new DefaultDnsPtrRecord(name, DnsRecord.CLASS_IN, ttl, target);
    }

    static DnsRecord srv(String name, int priority, int weight, int port, String target, long ttl) {
        ByteBuf content = Unpooled.buffer();
        content.writeShort(priority).writeShort(weight).writeShort(port);
        writeName(content, target);
        return new DefaultDnsRawRecord(name, DnsRecordType.SRV, ttl, content);
    }

    /** The zone's SOA, as CoreDNS writes it; {@code ttl} is also the negative-caching TTL. */
    static DnsRecord soa(String zone, long serial, long ttl) {
        ByteBuf content = Unpooled.buffer();
        writeName(content, "ns.dns." + zone);
        writeName(content, "hostmaster." + zone);
        content.writeInt((int) serial).writeInt(7200).writeInt(1800).writeInt(86400).writeInt((int) ttl);
        return new DefaultDnsRawRecord(zone, DnsRecordType.SOA, ttl, content);
    }

    /** An EDNS OPT pseudo-record announcing the UDP payload size this server accepts. */
    static DnsRecord opt(int udpPayloadSize) {
        return new DefaultDnsRawRecord(".", DnsRecordType.OPT, udpPayloadSize, 0, Unpooled.EMPTY_BUFFER);
    }

    /** Writes a name as uncompressed labels. */
    static void writeName(ByteBuf out, String name) {
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) {
                continue;
            }
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length > 63) {
                throw new IllegalArgumentException("DNS label longer than 63 bytes in " + name);
            }
            out.writeByte(bytes.length).writeBytes(bytes);
        }
        out.writeByte(0);
    }
}
