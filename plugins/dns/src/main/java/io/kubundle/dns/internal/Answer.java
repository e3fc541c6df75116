package io.kubundle.dns.internal;

import java.util.List;

import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsResponseCode;

/**
 * What to reply to one question: records the server owns ({@code authoritative}), or "ask
 * upstream" ({@code forward}), or local records followed by upstream's answer for {@code chase}
 * (an ExternalName's CNAME target outside the cluster domain).
 */
record Answer(DnsResponseCode code, boolean authoritative, List<DnsRecord> answers, List<DnsRecord> authority,
        List<DnsRecord> additional, boolean forward, String chase) {

    static final Answer FORWARD = new Answer(DnsResponseCode.NOERROR, false, List.of(), List.of(), List.of(), true, null);
    /** The cluster data is not there yet (informers not synced): clients should retry, not cache a negative answer. */
    static final Answer NOT_READY = new Answer(DnsResponseCode.SERVFAIL, false, List.of(), List.of(), List.of(), false, null);

    static Answer records(List<DnsRecord> answers, List<DnsRecord> additional) {
        return new Answer(DnsResponseCode.NOERROR, true, answers, List.of(), additional, false, null);
    }

    static Answer chase(List<DnsRecord> answers, String target) {
        return new Answer(DnsResponseCode.NOERROR, true, answers, List.of(), List.of(), false, target);
    }

    /** The name exists but has no record of the type asked (NODATA): NOERROR, the SOA in authority. */
    static Answer noData(DnsRecord soa) {
        return new Answer(DnsResponseCode.NOERROR, true, List.of(), List.of(soa), List.of(), false, null);
    }

    static Answer nxDomain(DnsRecord soa) {
        return new Answer(DnsResponseCode.NXDOMAIN, true, List.of(), List.of(soa), List.of(), false, null);
    }
}
