package io.kubundle.dns.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

/**
 * Answers each query (UDP or TCP) on the event loop: from the {@link ClusterZone} when the name is
 * the cluster's, else with upstream's reply relayed as it came (only the id changes). UDP replies
 * larger than the client's buffer (512 bytes, or its EDNS size up to {@code maxUdpSize}) are cut
 * to the question with TC set. Upstream failing is SERVFAIL.
 */
@Sharable
final class QueryHandler extends SimpleChannelInboundHandler<DnsQuery> {
    private static final System.Logger LOG = System.getLogger(QueryHandler.class.getName());
    static final int CLASSIC_UDP_SIZE = 512;

    private final ClusterZone zone;
    private final Forwarder forwarder;
    private final int maxUdpSize;

    QueryHandler(ClusterZone zone, Forwarder forwarder, int maxUdpSize) {
        this.zone = zone;
        this.forwarder = forwarder;
        this.maxUdpSize = Math.max(CLASSIC_UDP_SIZE, maxUdpSize);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
        if (!query.opCode().equals(DnsOpCode.QUERY)) {
            reply(ctx, query, null, codeOnly(DnsResponseCode.NOTIMP));
            return;
        }
        if (query.count(DnsSection.QUESTION) != 1) {
            reply(ctx, query, null, codeOnly(DnsResponseCode.FORMERR));
            return;
        }
        DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        Answer answer = zone.answer(question.name(), question.type());
        if (answer.forward()) {
            query.retain();
            forwarder.forward(question.name(), question.type()).whenComplete((bytes, failure) -> ctx.executor().execute(() -> {
                try {
                    if (failure != null) {
                        LOG.log(System.Logger.Level.DEBUG, "forwarding {0} failed: {1}", question.name(), failure.toString());
                        reply(ctx, query, question, codeOnly(DnsResponseCode.SERVFAIL));
                    } else {
                        relay(ctx, query, bytes);
                    }
                } finally {
                    query.release();
                }
            }));
        } else if (answer.chase() != null) {
            query.retain();
            forwarder.forward(answer.chase(), question.type()).whenComplete((bytes, failure) -> ctx.executor().execute(() -> {
                try {
                    List<DnsRecord> chased = List.of();
                    if (bytes != null) {
                        try {
                            chased = Wire.addressAnswers(bytes);
                        } finally {
                            bytes.release();
                        }
                    }
                    List<DnsRecord> records = new ArrayList<>(answer.answers());
                    records.addAll(chased);
                    reply(ctx, query, question, Answer.records(records, List.of()));
                } finally {
                    query.release();
                }
            }));
        } else {
            reply(ctx, query, question, answer);
        }
    }

    private static Answer codeOnly(DnsResponseCode code) {
        return new Answer(code, false, List.of(), List.of(), List.of(), false, null);
    }

    private void reply(ChannelHandlerContext ctx, DnsQuery query, DnsQuestion question, Answer answer) {
        DnsResponse response;
        if (query instanceof DatagramDnsQuery datagram) {
            response = new SizedResponse(datagram.recipient(), datagram.sender(), query.id(), udpLimit(query));
        } else {
            response = new DefaultDnsResponse(query.id());
        }
        response.setOpCode(query.opCode()).setRecursionDesired(query.isRecursionDesired());
        response.setRecursionAvailable(true).setAuthoritativeAnswer(answer.authoritative()).setCode(answer.code());
        if (question != null) {
            response.addRecord(DnsSection.QUESTION, question);
        }
        answer.answers().forEach(record -> response.addRecord(DnsSection.ANSWER, record));
        answer.authority().forEach(record -> response.addRecord(DnsSection.AUTHORITY, record));
        answer.additional().forEach(record -> response.addRecord(DnsSection.ADDITIONAL, record));
        if (ednsSize(query) > 0) {
            response.addRecord(DnsSection.ADDITIONAL, Records.opt(maxUdpSize));
        }
        ctx.writeAndFlush(response);
    }

    /** Sends upstream's reply bytes with the client's id. */
    private void relay(ChannelHandlerContext ctx, DnsQuery query, ByteBuf bytes) {
        Wire.setId(bytes, query.id());
        if (query instanceof DatagramDnsQuery datagram) {
            Wire.truncate(bytes, udpLimit(query));
            ctx.writeAndFlush(new DatagramPacket(bytes, datagram.sender(), datagram.recipient()));
        } else {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(Unpooled.buffer(2).writeShort(bytes.readableBytes()), bytes));
        }
    }

    private int udpLimit(DnsQuery query) {
        int announced = ednsSize(query);
        return announced <= 0 ? CLASSIC_UDP_SIZE : Math.min(maxUdpSize, Math.max(CLASSIC_UDP_SIZE, announced));
    }

    /** The UDP payload size of the query's EDNS OPT record, or 0 without one. */
    private static int ednsSize(DnsQuery query) {
        for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
            DnsRecord record = query.recordAt(DnsSection.ADDITIONAL, i);
            if (record.type() == DnsRecordType.OPT) {
                return record.dnsClass() & 0xffff;
            }
        }
        return 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "bad DNS message: {0}", cause.toString());
        if (ctx.channel().parent() != null) {
            // a TCP client that sent garbage: drop its connection; the UDP socket stays open
            ctx.close();
        }
    }

    /** A UDP response that knows how large the client lets it be. */
    static final class SizedResponse extends DatagramDnsResponse {
        private final int limit;

        SizedResponse(InetSocketAddress sender, InetSocketAddress recipient, int id, int limit) {
            super(sender, recipient, id);
            this.limit = limit;
        }
    }

    /** Encodes {@link SizedResponse}s, truncating them to their limit; other messages (relayed bytes) pass through. */
    static final class TruncatingEncoder extends DatagramDnsResponseEncoder {
        @Override
        public boolean acceptOutboundMessage(Object msg) {
            return msg instanceof SizedResponse;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, AddressedEnvelope<DnsResponse, InetSocketAddress> in, List<Object> out)
                throws Exception {
            super.encode(ctx, in, out);
            Wire.truncate(((DatagramPacket) out.get(out.size() - 1)).content(), ((SizedResponse) in.content()).limit);
        }
    }
}
