package io.kubundle.dns.internal;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;

/**
 * DNS messages as bytes (RFC 1035 section 4), for what the codec's objects do not do: relaying an
 * upstream reply unchanged but for its id, truncating a reply for UDP, reading a chased answer.
 * Offsets are relative to the buffer's reader index.
 */
final class Wire {
    static final int HEADER = 12;
    private static final int FLAG_TC = 0x02;

    private Wire() {
    }

    /** A query for one question, with recursion desired and an EDNS OPT record announcing {@code udpSize}. */
    static ByteBuf query(int id, String name, DnsRecordType type, int udpSize) {
        ByteBuf out = Unpooled.buffer();
        out.writeShort(id).writeShort(0x0100).writeShort(1).writeShort(0).writeShort(0).writeShort(1);
        Records.writeName(out, name);
        out.writeShort(type.intValue()).writeShort(DnsRecord.CLASS_IN);
        // OPT: root name, type 41, class = UDP payload size, TTL 0 (extended rcode, version, flags), no data
        out.writeByte(0).writeShort(DnsRecordType.OPT.intValue()).writeShort(udpSize).writeInt(0).writeShort(0);
        return out;
    }

    static int id(ByteBuf message) {
        return message.getUnsignedShort(message.readerIndex());
    }

    static void setId(ByteBuf message, int id) {
        message.setShort(message.readerIndex(), id);
    }

    static boolean isTruncated(ByteBuf message) {
        return (message.getByte(message.readerIndex() + 2) & FLAG_TC) != 0;
    }

    static boolean isResponse(ByteBuf message) {
        return message.readableBytes() >= HEADER && (message.getByte(message.readerIndex() + 2) & 0x80) != 0;
    }

    static int rcode(ByteBuf message) {
        return message.getByte(message.readerIndex() + 3) & 0x0f;
    }

    /**
     * Cuts a message longer than {@code limit} to its header and question, with TC set and no
     * other records, as RFC 2181 section 9 has a server do: the client asks again over TCP.
     */
    static void truncate(ByteBuf message, int limit) {
        if (message.readableBytes() <= limit) {
            return;
        }
        int start = message.readerIndex();
        int end = questionEnd(message);
        message.setByte(start + 2, message.getByte(start + 2) | FLAG_TC);
        message.setShort(start + 6, 0).setShort(start + 8, 0).setShort(start + 10, 0);
        message.writerIndex(end);
    }

    /** The absolute index just after the question section. */
    static int questionEnd(ByteBuf message) {
        int questions = message.getUnsignedShort(message.readerIndex() + 4);
        int position = message.readerIndex() + HEADER;
        for (int i = 0; i < questions; i++) {
            position = skipName(message, position) + 4;
        }
        return position;
    }

    private static int skipName(ByteBuf message, int position) {
        while (true) {
            int length = message.getUnsignedByte(position);
            if (length == 0) {
                return position + 1;
            }
            if ((length & 0xc0) == 0xc0) {
                return position + 2;
            }
            position += 1 + length;
        }
    }

    /**
     * The answer section's A, AAAA and CNAME records, rebuilt so that they can go into another
     * message (a raw CNAME's data may point into the message it came from). Others are skipped.
     */
    static List<DnsRecord> addressAnswers(ByteBuf message) {
        List<DnsRecord> result = new ArrayList<>();
        int answers = message.getUnsignedShort(message.readerIndex() + 6);
        int position = questionEnd(message);
        for (int i = 0; i < answers; i++) {
            ByteBuf at = message.duplicate();
            at.readerIndex(position);
            String name = DefaultDnsRecordDecoder.decodeName(at);
            int type = at.readUnsignedShort();
            at.readUnsignedShort();
            long ttl = at.readUnsignedInt();
            int length = at.readUnsignedShort();
            int data = at.readerIndex();
            if (type == DnsRecordType.A.intValue() || type == DnsRecordType.AAAA.intValue()) {
                byte[] address = new byte[length];
                message.getBytes(data, address);
                result.add(Records.address(name, Addresses.text(address), ttl));
            } else if (type == DnsRecordType.CNAME.intValue()) {
                result.add(Records.cname(name, DefaultDnsRecordDecoder.decodeName(at), ttl));
            }
            position = data + length;
        }
        return result;
    }
}
