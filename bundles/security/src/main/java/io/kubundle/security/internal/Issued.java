package io.kubundle.security.internal;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import io.kubundle.api.auth.IssuedCertificate;

/** A key and its certificate chain, the key's own certificate first. */
record Issued(PrivateKey privateKey, List<X509Certificate> certificateChain) implements IssuedCertificate {

    Issued {
        Objects.requireNonNull(privateKey, "privateKey");
        certificateChain = List.copyOf(certificateChain);
        if (certificateChain.isEmpty()) {
            throw new IllegalArgumentException("the certificate chain is empty");
        }
    }

    @Override
    public String certificatePem() {
        return Pem.certificates(certificateChain);
    }

    @Override
    public String privateKeyPem() {
        return Pem.privateKey(privateKey, certificate().getPublicKey());
    }
}
