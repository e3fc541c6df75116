package io.kubundle.client.kube.https;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import io.kubundle.api.transport.ApiTransport;

/**
 * A kubeconfig's current context: the server's URL and CA, and the user's client certificate or
 * bearer token. File paths in it are relative to the file, as kubectl reads them.
 *
 * @param server the API server's URL
 * @param tls trusts the cluster's CA and presents the client certificate, if any
 * @param token a bearer token, or null
 */
public record Kubeconfig(URI server, SSLContext tls, String token) {
    private static final int MAX_FILE_BYTES = 1 << 20;

    /** Reads the file's current context. */
    public static Kubeconfig load(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is over " + MAX_FILE_BYTES + " bytes: not a kubeconfig");
        }
        return parse(Files.readString(file), file.toAbsolutePath().getParent());
    }

    /** Reads a kubeconfig's text; relative file names are resolved against {@code base}. */
    public static Kubeconfig parse(String yaml, Path base) throws IOException {
        LoaderOptions limits = new LoaderOptions();
        limits.setMaxAliasesForCollections(10);
        limits.setNestingDepthLimit(20);
        limits.setCodePointLimit(MAX_FILE_BYTES);
        Object document = new Yaml(new SafeConstructor(limits)).load(yaml);
        if (!(document instanceof Map<?, ?> config)) {
            throw new IOException("a kubeconfig must be a YAML map");
        }
        String contextName = text(config.get("current-context"));
        Map<?, ?> context = named(config, "contexts", "context", contextName);
        Map<?, ?> cluster = named(config, "clusters", "cluster", text(context.get("cluster")));
        Map<?, ?> user = named(config, "users", "user", text(context.get("user")));
        String server = text(cluster.get("server"));
        if (server == null) {
            throw new IOException("the cluster of context " + contextName + " has no server");
        }
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            String ca = pem(cluster, "certificate-authority", base);
            if (ca == null) {
                throw new IOException("the cluster of context " + contextName + " has no certificate-authority(-data)");
            }
            int n = 0;
            for (X509Certificate certificate : PemFiles.certificates(ca)) {
                trust.setCertificateEntry("ca-" + n++, certificate);
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = null;
            String certificate = pem(user, "client-certificate", base);
            String key = pem(user, "client-key", base);
            if (certificate != null && key != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                char[] password = new char[0];
                PrivateKey privateKey = PemFiles.privateKey(key);
                keys.setKeyEntry("client", privateKey, password, PemFiles.certificates(certificate).toArray(new X509Certificate[0]));
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, password);
            }
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            String token = text(user.get("token"));
            String tokenFile = text(user.get("tokenFile"));
            if (token == null && tokenFile != null) {
                token = Files.readString(base.resolve(tokenFile)).strip();
            }
            return new Kubeconfig(URI.create(server), tls, token);
        } catch (GeneralSecurityException e) {
            throw new IOException("the kubeconfig's certificates or key cannot be read: " + e.getMessage(), e);
        }
    }

    /** A transport to this server as this user. */
    public ApiTransport transport() {
        return new HttpsTransport(server, tls, token);
    }

    /** {@code NAME-data} (base64) or the file {@code NAME} names. */
    private static String pem(Map<?, ?> section, String name, Path base) throws IOException {
        String data = text(section.get(name + "-data"));
        if (data != null) {
            return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.US_ASCII);
        }
        String file = text(section.get(name));
        return file == null ? null : Files.readString(base.resolve(file), StandardCharsets.US_ASCII);
    }

    /** The {@code field} map of the entry called {@code name} in the list {@code list}. */
    private static Map<?, ?> named(Map<?, ?> config, String list, String field, String name) throws IOException {
        if (config.get(list) instanceof List<?> entries) {
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> map && (name == null || name.equals(text(map.get("name"))))
                        && map.get(field) instanceof Map<?, ?> value) {
                    return value;
                }
            }
        }
        throw new IOException("the kubeconfig has no " + field + (name == null ? "" : " named " + name));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
