package io.kubundle.images;

import java.util.regex.Pattern;

/**
 * An image reference normalized as Docker normalizes it: {@code busybox} is {@code
 * docker.io/library/busybox:latest}, {@code nginx:1.7.9} is {@code
 * docker.io/library/nginx:1.7.9}, {@code registry:5000/x/y@sha256:...} keeps its registry and
 * digest (and gets no tag). The first path component is a registry when it contains a {@code
 * .} or a {@code :} or is {@code localhost}; {@code index.docker.io} is {@code docker.io}.
 */
public final class ImageReference {

    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");
    private static final int MAX_NAME = 255;

    private final String domain;
    private final String path;
    private final String tag;
    private final String digest;

    private ImageReference(String domain, String path, String tag, String digest) {
        this.domain = domain;
        this.path = path;
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses and normalizes {@code text}.
     *
     * @throws IllegalArgumentException with the reason when it is not a valid reference
     */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("invalid reference: empty");
        }
        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()
                    || (digest.startsWith("sha256:") && !HEX64.matcher(digest.substring(7)).matches())) {
                throw new IllegalArgumentException("invalid digest in reference " + text + ": " + digest);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid tag in reference " + text + ": " + tag);
            }
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("invalid reference " + text + ": no repository name");
        }
        String domain;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            domain = first;
            path = rest.substring(slash + 1);
            if (!DOMAIN.matcher(domain).matches()) {
                throw new IllegalArgumentException("invalid registry in reference " + text + ": " + domain);
            }
        } else {
            domain = DEFAULT_DOMAIN;
            path = rest;
        }
        if (domain.equals("index.docker.io")) {
            domain = DEFAULT_DOMAIN;
        }
        if (domain.equals(DEFAULT_DOMAIN) && path.indexOf('/') < 0) {
            path = "library/" + path;
        }
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                String reason = component.toLowerCase().equals(component) ? "invalid repository name" : "repository name must be lowercase";
                throw new IllegalArgumentException(reason + " in reference " + text + ": " + path);
            }
        }
        if (domain.equals(DEFAULT_DOMAIN) && path.startsWith("library/") && HEX64.matcher(path.substring(8)).matches()
                && slash < 0) {
            throw new IllegalArgumentException("invalid reference " + text + ": a 64-character hexadecimal name is an image ID, not a repository");
        }
        if ((domain + "/" + path).length() > MAX_NAME) {
            throw new IllegalArgumentException("invalid reference " + text + ": repository name longer than " + MAX_NAME + " characters");
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(domain, path, tag, digest);
    }

    /** The registry host (and port), {@code docker.io} by default. */
    public String domain() {
        return domain;
    }

    /** The repository path within the registry, {@code library/busybox} for {@code busybox}. */
    public String path() {
        return path;
    }

    /** {@code domain/path}, without tag or digest. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The tag, or null when the reference names a digest only. */
    public String tag() {
        return tag;
    }

    /** The digest ({@code sha256:...}), or null. */
    public String digest() {
        return digest;
    }

    /** The fully qualified form: {@code domain/path[:tag][@digest]}. */
    @Override
    public String toString() {
        return repository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageReference && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
