package io.kubundle.admin.internal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** A Felix framework with Felix SCR, sharing the DS API with the test class path. */
final class EmbeddedFramework implements AutoCloseable {
    final Framework framework;
    final BundleContext context;
    final ServiceComponentRuntime scr;

    private EmbeddedFramework(Framework framework, ServiceComponentRuntime scr) {
        this.framework = framework;
        this.context = framework.getBundleContext();
        this.scr = scr;
    }

    static EmbeddedFramework start(Path storage, Map<String, String> extraProperties) throws Exception {
        Map<String, String> properties = new HashMap<>(extraProperties);
        properties.put("org.osgi.framework.storage", storage.toString());
        properties.put("org.osgi.framework.storage.clean", "onFirstInit");
        properties.put("felix.log.level", "0");
        // the tests talk to SCR through the class path's DS API, so the framework must export it
        properties.put("org.osgi.framework.system.packages.extra",
                "org.osgi.service.component;version=1.5.1,org.osgi.service.component.runtime;version=1.5,"
                        + "org.osgi.service.component.runtime.dto;version=1.5,org.osgi.util.promise;version=1.3,"
                        + "org.osgi.util.function;version=1.2");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.start();
        BundleContext context = framework.getBundleContext();
        String scrJar = Class.forName("org.apache.felix.scr.impl.Activator").getProtectionDomain().getCodeSource()
                .getLocation().toString();
        Bundle scrBundle = context.installBundle(scrJar);
        scrBundle.start();
        ServiceComponentRuntime scr = context.getService(context.getServiceReference(ServiceComponentRuntime.class));
        return new EmbeddedFramework(framework, scr);
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }
}
