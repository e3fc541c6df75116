package io.kubundle.security.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.bouncycastle.util.IPAddress;

/**
 * The host names and IP addresses of a serving certificate, normalised (lower-case names,
 * canonical addresses) so that the set wanted and the set in a certificate compare equal
 * regardless of spelling and order.
 */
record SubjectAltNames(Set<String> dnsNames, Set<String> ipAddresses) {
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;
    // letters, digits, '-', '_' and '.', optionally behind a wildcard label
    private static final Pattern DNS = Pattern.compile("(\\*\\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");

    SubjectAltNames {
        dnsNames = Collections.unmodifiableSet(new LinkedHashSet<>(dnsNames));
        ipAddresses = Collections.unmodifiableSet(new LinkedHashSet<>(ipAddresses));
    }

    /**
     * Checks and normalises names and addresses.
     *
     * @throws IllegalArgumentException naming the first entry that is not a host name or not an
     *         IP literal
     */
    static SubjectAltNames of(Collection<String> dnsNames, Collection<String> ipAddresses) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : dnsNames) {
            names.add(dnsName(name));
        }
        Set<String> addresses = new LinkedHashSet<>();
        for (String address : ipAddresses) {
            addresses.add(ipAddress(address));
        }
        return new SubjectAltNames(names, addresses);
    }

    /** Sorts entries into IP literals and host names, checking both. */
    static SubjectAltNames parse(Collection<String> entries) {
        List<String> names = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (String entry : entries) {
            String value = entry.strip();
            (IPAddress.isValid(value) ? addresses : names).add(value);
        }
        return of(names, addresses);
    }

    /** The names and addresses of a certificate. */
    static SubjectAltNames of(X509Certificate certificate) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
        if (entries != null) {
            for (List<?> entry : entries) {
                int type = (Integer) entry.get(0);
                if (type == DNS_NAME) {
                    names.add((String) entry.get(1));
                } else if (type == IP_ADDRESS) {
                    addresses.add((String) entry.get(1));
                }
            }
        }
        return of(names, addresses);
    }

    SubjectAltNames plus(SubjectAltNames other) {
        Set<String> names = new LinkedHashSet<>(dnsNames);
        names.addAll(other.dnsNames);
        Set<String> addresses = new LinkedHashSet<>(ipAddresses);
        addresses.addAll(other.ipAddresses);
        return new SubjectAltNames(names, addresses);
    }

    boolean isEmpty() {
        return dnsNames.isEmpty() && ipAddresses.isEmpty();
    }

    static boolean isDnsName(String name) {
        return DNS.matcher(name.strip().toLowerCase(Locale.ROOT)).matches();
    }

    private static String dnsName(String name) {
        String normalised = name.strip().toLowerCase(Locale.ROOT);
        if (!DNS.matcher(normalised).matches()) {
            throw new IllegalArgumentException("not a host name: '" + name + "'");
        }
        return normalised;
    }

    private static String ipAddress(String address) {
        String literal = address.strip();
        if (!IPAddress.isValid(literal)) {
            throw new IllegalArgumentException("not an IP address: '" + address + "'");
        }
        try {
            // a literal is parsed, never looked up
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + address + "'", e);
        }
    }
}
