package io.kubundle.admin.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/** Resolves the {name} of an admin URL: a bundle id, a symbolic name, or symbolicName:version. */
final class BundleNames {
    private BundleNames() {
    }

    static Bundle resolve(String name, Bundle[] bundles) throws AdminException {
        if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            long id = parseId(name);
            for (Bundle bundle : bundles) {
                if (bundle.getBundleId() == id) {
                    return bundle;
                }
            }
            throw unknown(name);
        }
        int colon = name.lastIndexOf(':');
        if (colon >= 0) {
            String symbolicName = name.substring(0, colon);
            Version version;
            try {
                version = Version.parseVersion(name.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw unknown(name);
            }
            Bundle found = installed(symbolicName, version, bundles);
            if (found == null) {
                throw unknown(name);
            }
            return found;
        }
        List<Bundle> matches = new ArrayList<>();
        for (Bundle bundle : bundles) {
            if (name.equals(bundle.getSymbolicName())) {
                matches.add(bundle);
            }
        }
        if (matches.isEmpty()) {
            throw unknown(name);
        }
        if (matches.size() > 1) {
            String versions = matches.stream().map(Bundle::getVersion).sorted().map(Objects::toString)
                    .collect(Collectors.joining(", "));
            throw new AdminException(409, name + " is ambiguous: installed versions " + versions + "; use " + name
                    + ":<version>");
        }
        return matches.get(0);
    }

    /** The installed bundle with this symbolic name and version, or null. */
    static Bundle installed(String symbolicName, Version version, Bundle[] bundles) {
        for (Bundle bundle : bundles) {
            if (symbolicName.equals(bundle.getSymbolicName()) && version.equals(bundle.getVersion())) {
                return bundle;
            }
        }
        return null;
    }

    private static long parseId(String digits) throws AdminException {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw unknown(digits);
        }
    }

    private static AdminException unknown(String name) {
        return new AdminException(404, "no bundle named " + name);
    }
}
