package io.kubundle.security.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import io.kubundle.api.auth.IssuedCertificate;
import io.kubundle.api.auth.UserInfo;

/**
 * The PKI directory ({@code <data-dir>/pki}): the CA, which is created once and then only read,
 * and the certificates it issued for the API server and the admin, which are issued again when
 * missing, broken, no longer matching the CA or the wanted names, or within 30 days of expiry.
 */
final class Pki {
    static final String CA_COMMON_NAME = "kubundle-ca";
    static final String API_SERVER_COMMON_NAME = "kube-apiserver";
    static final String ADMIN_USER = "kubernetes-admin";
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration LEAF_VALIDITY = Duration.ofDays(365);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final System.Logger LOG = System.getLogger(Pki.class.getName());

    private final Path caFile;
    private final CertificateAuthority ca;
    private final IssuedCertificate apiServer;
    private final IssuedCertificate admin;

    private Pki(Path caFile, CertificateAuthority ca, IssuedCertificate apiServer, IssuedCertificate admin) {
        this.caFile = caFile;
        this.ca = ca;
        this.apiServer = apiServer;
        this.admin = admin;
    }

    /**
     * Loads the directory, creating or renewing what must be.
     *
     * @param apiServerNames the names and addresses the API server's certificate must carry
     * @throws IOException if the CA cannot be read or created, or is expired
     */
    static Pki open(Path dir, SubjectAltNames apiServerNames) throws IOException {
        SecureFiles.createPrivateDirectory(dir);
        CertificateAuthority ca = loadOrCreateCa(dir.resolve("ca.crt"), dir.resolve("ca.key"));
        IssuedCertificate apiServer = current(dir, "apiserver", ca, issued -> namesDiffer(issued, apiServerNames),
                () -> ca.issueServer(API_SERVER_COMMON_NAME, apiServerNames, LEAF_VALIDITY));
        IssuedCertificate admin = current(dir, "admin", ca, issued -> Optional.empty(),
                () -> ca.issueClient(ADMIN_USER, List.of(UserInfo.SYSTEM_MASTERS), LEAF_VALIDITY));
        return new Pki(dir.resolve("ca.crt"), ca, apiServer, admin);
    }

    Path caFile() {
        return caFile;
    }

    CertificateAuthority ca() {
        return ca;
    }

    IssuedCertificate apiServer() {
        return apiServer;
    }

    IssuedCertificate admin() {
        return admin;
    }

    private static CertificateAuthority loadOrCreateCa(Path certificateFile, Path keyFile) throws IOException {
        boolean hasCertificate = Files.exists(certificateFile);
        boolean hasKey = Files.exists(keyFile);
        if (hasCertificate != hasKey) {
            // never replace half a CA: whatever trusts the remaining half would silently stop working
            throw new IOException("found " + (hasCertificate ? certificateFile : keyFile) + " without "
                    + (hasCertificate ? keyFile : certificateFile) + "; restore it, or remove both to create a new CA");
        }
        try {
            if (!hasCertificate) {
                CertificateAuthority ca = CertificateAuthority.create(CA_COMMON_NAME, CA_VALIDITY);
                Pem.write(new Issued(ca.key(), List.of(ca.certificate())), certificateFile, keyFile);
                LOG.log(Level.DEBUG, "created the cluster CA in {0}", certificateFile);
                return ca;
            }
            CertificateAuthority ca = new CertificateAuthority(Pem.readPrivateKey(keyFile),
                    Pem.readCertificates(certificateFile).get(0));
            Instant notAfter = ca.certificate().getNotAfter().toInstant();
            if (notAfter.isBefore(Instant.now())) {
                throw new IOException("the CA in " + certificateFile + " expired on " + notAfter
                        + "; remove " + certificateFile + " and " + keyFile + " to create a new CA");
            }
            return ca;
        } catch (GeneralSecurityException e) {
            throw new IOException(certificateFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The stored certificate named {@code name} if it is still good and {@code check} finds no
     * problem with it, else a new one from {@code issuer}, stored.
     */
    private static IssuedCertificate current(Path dir, String name, CertificateAuthority ca,
            Function<IssuedCertificate, Optional<String>> check, Supplier<IssuedCertificate> issuer)
            throws IOException {
        Path certificateFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        String reason;
        if (!Files.exists(certificateFile) || !Files.exists(keyFile)) {
            reason = "it does not exist";
        } else {
            try {
                IssuedCertificate stored = new Issued(Pem.readPrivateKey(keyFile),
                        Pem.readCertificates(certificateFile));
                Optional<String> stale = ca.staleness(stored, RENEW_BEFORE).or(() -> check.apply(stored));
                if (stale.isEmpty()) {
                    return stored;
                }
                reason = stale.get();
            } catch (IOException | RuntimeException e) {
                reason = "it cannot be read: " + e.getMessage();
            }
        }
        LOG.log(Level.DEBUG, "issuing {0}: {1}", certificateFile, reason);
        IssuedCertificate issued = issuer.get();
        Pem.write(issued, certificateFile, keyFile);
        return issued;
    }

    private static Optional<String> namesDiffer(IssuedCertificate issued, SubjectAltNames wanted) {
        try {
            SubjectAltNames present = SubjectAltNames.of(issued.certificate());
            return present.equals(wanted) ? Optional.empty()
                    : Optional.of("its names " + present + " are not the wanted " + wanted);
        } catch (CertificateParsingException | IllegalArgumentException e) {
            return Optional.of("its names cannot be read: " + e.getMessage());
        }
    }
}
