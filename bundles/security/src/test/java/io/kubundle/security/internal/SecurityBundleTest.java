package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

import io.kubundle.api.auth.Authenticator;
import io.kubundle.api.auth.Authorizer;
import io.kubundle.api.auth.ClusterCertificates;

/**
 * The bundle as the distribution runs it: in Felix with SCR, beside BouncyCastle's own bundles,
 * which must resolve without help, and the cluster client with Jackson.
 */
final class SecurityBundleTest {
    @TempDir
    Path storage;
    @TempDir
    Path dataDir;

    @Test
    void resolvesAndRegistersItsServices() throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // the test shares the SPI with the framework, so it can call the services
        properties.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "io.kubundle.api.auth;version=1.0.0,"
                + "io.kubundle.api.transport;version=1.0.0");
        properties.put("kubundle.data.dir", dataDir.toString());
        properties.put("kubundle.api.port", "7443");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.start();
        try {
            BundleContext context = framework.getBundleContext();
            List<Bundle> bundles = new ArrayList<>();
            for (String className : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
                    "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator",
                    "org.bouncycastle.util.IPAddress", "org.bouncycastle.asn1.cmp.PKIBody",
                    "org.bouncycastle.cert.X509CertificateHolder", "com.fasterxml.jackson.annotation.JsonProperty",
                    "com.fasterxml.jackson.core.JsonFactory", "com.fasterxml.jackson.databind.ObjectMapper",
                    "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule", "org.yaml.snakeyaml.Yaml",
                    "io.kubundle.client.kube.KubeClient", FileClusterCertificates.class.getName())) {
                // a jar, or target/classes with bnd's manifest, which Felix installs by reference
                String location = Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toString();
                bundles.add(context.installBundle(location.endsWith("/") ? "reference:" + location : location));
            }
            for (Bundle bundle : bundles) {
                bundle.start();
            }
            Map<String, Integer> states = new TreeMap<>();
            for (Bundle bundle : bundles) {
                states.put(bundle.getSymbolicName(), bundle.getState());
            }
            assertTrue(states.values().stream().allMatch(state -> state == Bundle.ACTIVE), states.toString());

            ServiceTracker<ClusterCertificates, ClusterCertificates> tracker =
                    new ServiceTracker<>(context, ClusterCertificates.class, null);
            tracker.open();
            ClusterCertificates certificates = tracker.waitForService(30_000);
            assertNotNull(certificates, "no ClusterCertificates service");
            assertEquals(dataDir.resolve("pki/ca.crt"), certificates.caCertificateFile());
            assertTrue(Files.readString(dataDir.resolve("kubeconfig")).contains("https://127.0.0.1:7443"));
            tracker.close();

            assertEquals(Map.of("x509", 200, "bootstrap-token", 150, "token", 100), names(context, Authenticator.class));
            assertEquals(Map.of("always-allow-authenticated", -10_000, "node-bootstrapper", -5_000), names(context, Authorizer.class));
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private static Map<String, Integer> names(BundleContext context, Class<?> type) throws Exception {
        Map<String, Integer> names = new HashMap<>();
        for (ServiceReference<?> reference : context.getServiceReferences(type.getName(), null)) {
            names.put((String) reference.getProperty("name"), (Integer) reference.getProperty(Constants.SERVICE_RANKING));
        }
        return names;
    }
}
