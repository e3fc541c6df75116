package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.client.kube.ResourceKind;
import java.util.List;
import java.util.Locale;

/**
 * One resource type as discovery lists it.
 *
 * @param group the API group, empty for the core group
 * @param version the version the CLI talks to it in
 * @param plural the name in URLs ({@code deployments})
 * @param singular the singular name ({@code deployment})
 * @param kind the kind ({@code Deployment})
 * @param namespaced whether its objects live in namespaces
 * @param shortNames the short names ({@code deploy})
 */
public record ApiResource(String group, String version, String plural, String singular, String kind, boolean namespaced,
        List<String> shortNames) {
    public ApiResource {
        shortNames = List.copyOf(shortNames);
        singular = singular == null || singular.isEmpty() ? kind.toLowerCase(Locale.ROOT) : singular;
    }

    /** {@code v1} or {@code group/version}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The typed-client view of it, reading objects as JSON trees. */
    public ResourceKind<ObjectNode> kindForClient() {
        return new ResourceKind<>(group, version, plural, kind, namespaced, ObjectNode.class);
    }

    /** What kubectl prints before an object's name: {@code deployment.apps}, {@code pod}. */
    public String kindAndGroup() {
        String lower = kind.toLowerCase(Locale.ROOT);
        return group.isEmpty() ? lower : lower + "." + group;
    }

    /** What the server's messages name the type with: {@code deployments.apps}, {@code pods}. */
    public String pluralAndGroup() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** {@code deployment.apps/nginx}: the {@code -o name} form. */
    public String objectName(String name) {
        return kindAndGroup() + "/" + name;
    }

    /** {@code deployment.apps/nginx} for an object as the server returned it, from its own apiVersion and kind. */
    public static String objectNameOf(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        int slash = apiVersion.indexOf('/');
        String kind = object.path("kind").asText().toLowerCase(Locale.ROOT);
        return (slash < 0 ? kind : kind + "." + apiVersion.substring(0, slash)) + "/" + object.path("metadata").path("name").asText();
    }
}
