package io.kubundle.security.internal;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.kubundle.api.auth.AuthenticationException;
import io.kubundle.api.auth.Authenticator;
import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;

/**
 * Client certificates issued by the cluster CA, as Kubernetes' x509 authenticator: the common
 * name is the user, each organization a group. The TLS layer has checked the chain already; it is
 * checked again here so that no TLS setting can let a foreign certificate through.
 */
@Component(service = Authenticator.class, property = {
        Authenticator.NAME_PROPERTY + "=x509", Constants.SERVICE_RANKING + ":Integer=200" })
public final class X509Authenticator implements Authenticator {
    private static final String CLIENT_AUTH = KeyPurposeId.id_kp_clientAuth.getId();
    private static final String ANY_PURPOSE = KeyPurposeId.anyExtendedKeyUsage.getId();

    private final X509Certificate ca;

    @Activate
    public X509Authenticator(@Reference(name = "certificates") ClusterCertificates certificates) {
        this(certificates.caCertificate());
    }

    X509Authenticator(X509Certificate ca) {
        this.ca = ca;
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) throws AuthenticationException {
        List<X509Certificate> chain = credentials.peerCertificates();
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate leaf = chain.get(0);
        verify(chain);
        checkPurpose(leaf);
        return Optional.of(user(leaf));
    }

    /** Signatures up to the CA, and validity now, as PKIX defines them. */
    private void verify(List<X509Certificate> chain) throws AuthenticationException {
        List<X509Certificate> path = new ArrayList<>(chain);
        // a client may send the root too; a PKIX path ends below its trust anchor
        while (!path.isEmpty() && path.get(path.size() - 1).equals(ca)) {
            path.remove(path.size() - 1);
        }
        if (path.isEmpty()) {
            throw new AuthenticationException("the client presented the CA certificate as its own");
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
            // short-lived certificates and no CRL distribution points, as in Kubernetes
            parameters.setRevocationEnabled(false);
            parameters.setDate(new Date());
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
        } catch (GeneralSecurityException e) {
            throw new AuthenticationException("client certificate " + chain.get(0).getSubjectX500Principal()
                    + " does not verify: " + e.getMessage(), e);
        }
    }

    /** As Go's verifier with ExtKeyUsageClientAuth: no extended key usage allows any purpose. */
    private static void checkPurpose(X509Certificate leaf) throws AuthenticationException {
        try {
            List<String> purposes = leaf.getExtendedKeyUsage();
            if (purposes != null && !purposes.contains(CLIENT_AUTH) && !purposes.contains(ANY_PURPOSE)) {
                throw new AuthenticationException("certificate " + leaf.getSubjectX500Principal()
                        + " is not for client authentication");
            }
        } catch (CertificateParsingException e) {
            throw new AuthenticationException("certificate " + leaf.getSubjectX500Principal()
                    + " has an unreadable extended key usage", e);
        }
    }

    private static UserInfo user(X509Certificate leaf) throws AuthenticationException {
        String name = null;
        List<String> groups = new ArrayList<>();
        X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
        for (RDN rdn : subject.getRDNs()) {
            for (AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
                if (attribute.getType().equals(BCStyle.CN) && name == null) {
                    name = text(attribute.getValue());
                } else if (attribute.getType().equals(BCStyle.O)) {
                    groups.add(text(attribute.getValue()));
                }
            }
        }
        if (name == null || name.isEmpty()) {
            throw new AuthenticationException("certificate " + leaf.getSubjectX500Principal() + " has no common name");
        }
        if (!groups.contains(UserInfo.ALL_AUTHENTICATED)) {
            groups.add(UserInfo.ALL_AUTHENTICATED);
        }
        return new UserInfo(name, "", groups, Map.of());
    }

    /** The value itself, not its RFC 4514 escaped form. */
    private static String text(ASN1Encodable value) {
        return value instanceof ASN1String string ? string.getString() : IETFUtils.valueToString(value);
    }
}
