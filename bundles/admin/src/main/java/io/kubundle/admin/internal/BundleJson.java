package io.kubundle.admin.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** The JSON shape of one bundle, as plain maps and lists. */
final class BundleJson {
    private BundleJson() {
    }

    static Map<String, Object> describe(Bundle bundle, ServiceComponentRuntime scr) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", bundle.getBundleId());
        json.put("symbolicName", bundle.getSymbolicName());
        json.put("version", bundle.getVersion().toString());
        json.put("state", stateName(bundle.getState()));
        json.put("location", bundle.getLocation());
        json.put("fragment", isFragment(bundle));
        json.put("services", services(bundle));
        List<Object> components = new ArrayList<>();
        for (ComponentStates.Entry entry : ComponentStates.of(scr, bundle)) {
            Map<String, Object> component = new LinkedHashMap<>();
            component.put("name", entry.name());
            component.put("state", entry.state());
            component.put("problem", entry.problem());
            components.add(component);
        }
        json.put("components", components);
        return json;
    }

    static boolean isFragment(Bundle bundle) {
        // raw headers: no need to look up localization files
        String host = bundle.getHeaders("").get(Constants.FRAGMENT_HOST);
        return host != null && !host.isBlank();
    }

    static String stateName(int state) {
        switch (state) {
            case Bundle.UNINSTALLED:
                return "UNINSTALLED";
            case Bundle.INSTALLED:
                return "INSTALLED";
            case Bundle.RESOLVED:
                return "RESOLVED";
            case Bundle.STARTING:
                return "STARTING";
            case Bundle.STOPPING:
                return "STOPPING";
            case Bundle.ACTIVE:
                return "ACTIVE";
            default:
                return "UNKNOWN(" + state + ")";
        }
    }

    private static List<Object> services(Bundle bundle) {
        ServiceReference<?>[] registered = bundle.getRegisteredServices();
        List<ServiceReference<?>> references = new ArrayList<>();
        if (registered != null) {
            references.addAll(Arrays.asList(registered));
        }
        references.sort(Comparator.comparingLong(BundleJson::serviceId));
        List<Object> services = new ArrayList<>();
        for (ServiceReference<?> reference : references) {
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("id", serviceId(reference));
            service.put("objectClass", List.of((String[]) reference.getProperty(Constants.OBJECTCLASS)));
            service.put("name", stringProperty(reference, "name"));
            service.put("componentName", stringProperty(reference, "component.name"));
            services.add(service);
        }
        return services;
    }

    static long serviceId(ServiceReference<?> reference) {
        return (Long) reference.getProperty(Constants.SERVICE_ID);
    }

    private static String stringProperty(ServiceReference<?> reference, String key) {
        Object value = reference.getProperty(key);
        return value == null ? null : value.toString();
    }
}
