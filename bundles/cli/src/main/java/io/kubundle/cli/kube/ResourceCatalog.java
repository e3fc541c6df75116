package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubundle.client.kube.ApiStatusException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The resource types a server serves, read from discovery ({@code /api}, {@code /apis} and each
 * group version), and kubectl's ways of naming them: plural, singular, kind, short name, each
 * optionally qualified by group ({@code deployments.apps}) or version and group
 * ({@code deployments.v1.apps}).
 */
public final class ResourceCatalog {
    /** Reads one discovery document. */
    @FunctionalInterface
    public interface Fetcher {
        JsonNode get(String path) throws IOException, ApiStatusException;
    }

    /** Every resource, groups in discovery order (core first), each group's preferred version first. */
    private final List<ApiResource> resources;

    ResourceCatalog(List<ApiResource> resources) {
        this.resources = List.copyOf(resources);
    }

    /** Reads the whole discovery tree. */
    public static ResourceCatalog discover(Fetcher fetcher) throws IOException, ApiStatusException {
        List<ApiResource> all = new ArrayList<>();
        for (JsonNode version : fetcher.get("/api").path("versions")) {
            read(fetcher.get("/api/" + version.asText()), "", version.asText(), all);
        }
        for (JsonNode group : fetcher.get("/apis").path("groups")) {
            String name = group.path("name").asText();
            String preferred = group.path("preferredVersion").path("version").asText();
            List<String> versions = new ArrayList<>();
            versions.add(preferred);
            for (JsonNode version : group.path("versions")) {
                if (!versions.contains(version.path("version").asText())) {
                    versions.add(version.path("version").asText());
                }
            }
            for (String version : versions) {
                if (!version.isEmpty()) {
                    read(fetcher.get("/apis/" + name + "/" + version), name, version, all);
                }
            }
        }
        return new ResourceCatalog(all);
    }

    private static void read(JsonNode list, String group, String version, List<ApiResource> into) {
        for (JsonNode resource : list.path("resources")) {
            String plural = resource.path("name").asText();
            if (plural.contains("/")) {
                continue; // a subresource
            }
            List<String> shortNames = new ArrayList<>();
            resource.path("shortNames").forEach(shortName -> shortNames.add(shortName.asText()));
            into.add(new ApiResource(group, version, plural, resource.path("singularName").asText(""),
                    resource.path("kind").asText(), resource.path("namespaced").asBoolean(), shortNames));
        }
    }

    public List<ApiResource> all() {
        return resources;
    }

    /**
     * The resource a command-line type names: {@code po}, {@code pods}, {@code pod}, {@code Pod},
     * {@code deployments.apps}, {@code deploy.v1.apps}.
     */
    public ApiResource resolve(String type) throws CommandException {
        String wanted = type.toLowerCase(Locale.ROOT);
        ApiResource found = find(wanted, null, null);
        int dot = wanted.indexOf('.');
        if (found == null && dot > 0) {
            String name = wanted.substring(0, dot);
            String rest = wanted.substring(dot + 1);
            found = find(name, null, rest);
            int second = rest.indexOf('.');
            if (found == null && second > 0) {
                found = find(name, rest.substring(0, second), rest.substring(second + 1));
            }
        }
        if (found == null) {
            throw new CommandException("the server doesn't have a resource type \"" + type + "\"");
        }
        return found;
    }

    private ApiResource find(String name, String version, String group) {
        for (ApiResource resource : resources) {
            if ((group == null || resource.group().equals(group)) && (version == null || resource.version().equals(version))
                    && names(resource, name)) {
                return resource;
            }
        }
        return null;
    }

    private static boolean names(ApiResource resource, String name) {
        return resource.plural().equals(name) || resource.singular().equals(name)
                || resource.kind().toLowerCase(Locale.ROOT).equals(name) || resource.shortNames().contains(name);
    }

    /** The resource of a manifest's {@code apiVersion} and {@code kind}. */
    public ApiResource forKind(String apiVersion, String kind) throws CommandException {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        for (ApiResource resource : resources) {
            if (resource.group().equals(group) && resource.version().equals(version) && resource.kind().equals(kind)) {
                return resource;
            }
        }
        throw new CommandException("no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"");
    }

    /** The resource of a group and kind in the group's preferred version, or null. */
    public ApiResource preferred(String group, String kind) {
        for (ApiResource resource : resources) {
            if (resource.group().equals(group) && resource.kind().equals(kind)) {
                return resource;
            }
        }
        return null;
    }
}
