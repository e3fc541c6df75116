package io.kubundle.api.auth;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** A new private key and the certificate chain issued for it. */
@ProviderType
public interface IssuedCertificate {

    /** The private key. */
    PrivateKey privateKey();

    /** The certificate of the key first, then any intermediate CA certificates; not the root. */
    List<X509Certificate> certificateChain();

    /** The certificate of the key. */
    default X509Certificate certificate() {
        return certificateChain().get(0);
    }

    /** The chain as concatenated {@code CERTIFICATE} PEM blocks, as in a {@code .crt} file. */
    String certificatePem();

    /**
     * The key as one PEM block, in the form openssl, kubeadm and client-go write and every
     * Kubernetes client reads (kubectl, client-go, fabric8, the Python client): {@code EC PRIVATE
     * KEY} (SEC 1, with its curve) for an EC key, {@code RSA PRIVATE KEY} (PKCS#1) for an RSA
     * key, {@code PRIVATE KEY} (PKCS#8) otherwise.
     */
    String privateKeyPem();
}
