package io.kubundle.api.meta;

import java.util.regex.Pattern;

/** The syntax rules of Kubernetes names, label keys and label values. */
public final class LabelSyntax {
    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private LabelSyntax() {
    }

    /** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
    public static boolean isQualifiedName(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0 && !isDnsSubdomain(key.substring(0, slash))) {
            return false;
        }
        return NAME_PART.matcher(name).matches();
    }

    /** A label value: empty, or at most 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
    public static boolean isLabelValue(String value) {
        return LABEL_VALUE.matcher(value).matches();
    }

    /** RFC 1123 subdomain: the rule for most object names (at most 253 characters). */
    public static boolean isDnsSubdomain(String name) {
        return name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
    }

    /** RFC 1123 label: the rule for namespace and service names (at most 63 characters). */
    public static boolean isDnsLabel(String name) {
        return name.length() <= 63 && DNS_LABEL.matcher(name).matches();
    }
}
