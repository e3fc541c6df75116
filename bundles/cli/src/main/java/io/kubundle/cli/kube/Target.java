package io.kubundle.cli.kube;

import java.util.ArrayList;
import java.util.List;

/**
 * What a command's arguments name: a resource type and one object of it, or (name null) all of
 * them.
 */
public record Target(ApiResource resource, String name) {
    /**
     * Reads kubectl's forms: {@code TYPE}, {@code TYPE NAME...}, {@code TYPE1,TYPE2 [NAME...]},
     * {@code TYPE/NAME...}.
     */
    public static List<Target> parse(List<String> args, ResourceCatalog catalog) throws CommandException {
        if (args.isEmpty()) {
            throw new CommandException("you must specify the type of resource to get");
        }
        List<Target> targets = new ArrayList<>();
        if (args.get(0).contains("/")) {
            for (String arg : args) {
                int slash = arg.indexOf('/');
                if (slash <= 0 || slash == arg.length() - 1) {
                    throw new CommandException("arguments in resource/name form must have a single resource and name");
                }
                targets.add(new Target(catalog.resolve(arg.substring(0, slash)), arg.substring(slash + 1)));
            }
            return targets;
        }
        List<ApiResource> types = new ArrayList<>();
        for (String type : args.get(0).split(",")) {
            if (!type.isBlank()) {
                types.add(catalog.resolve(type.strip()));
            }
        }
        List<String> names = args.subList(1, args.size());
        for (String name : names) {
            if (name.contains("/")) {
                throw new CommandException("there is no need to specify a resource type as a separate argument when passing"
                        + " arguments in resource/name form (e.g. 'kubundle get resource/<resource_name>' instead of"
                        + " 'kubundle get resource resource/<resource_name>'");
            }
        }
        for (ApiResource type : types) {
            if (names.isEmpty()) {
                targets.add(new Target(type, null));
            }
            for (String name : names) {
                targets.add(new Target(type, name));
            }
        }
        return targets;
    }

    /** {@code deployment.apps/nginx}. */
    public String objectName() {
        return resource.objectName(name);
    }
}
