package io.kubundle.apiserver.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.UserInfo;

/**
 * Routes a request to discovery, health, or a resource verb, and turns the outcome into JSON (or
 * a Table, or a watch stream). Every failure becomes a {@code Status}.
 */
final class ApiHandler {
    private final ResourceTypes types;
    private final Resources resources;
    private final Discovery discovery;
    private final ObjectMapper json;
    private final BodyDecoder bodies;
    private final ScheduledExecutorService timers;
    private final String serverAddress;
    private final String version;
    private final AccessControl access;
    private final WatchEventCache watchEvents;
    private final WatchCache watchCache;
    private final OpenApi openApi = new OpenApi();

    ApiHandler(ResourceTypes types, Resources resources, ObjectMapper json, BodyDecoder bodies, ScheduledExecutorService timers,
            String serverAddress, String version, AccessControl access, WatchCache watchCache) {
        this.access = access;
        this.watchCache = watchCache;
        this.watchEvents = new WatchEventCache(resources.storage(), json);
        this.types = types;
        this.resources = resources;
        this.discovery = new Discovery(types);
        this.json = json;
        this.bodies = bodies;
        this.timers = timers;
        this.serverAddress = serverAddress;
        this.version = version;
    }

    /**
     * Handles a request. Returns the response, or null when the request became a watch stream
     * written to {@code sink}.
     */
    ApiResponse handle(ApiRequest request, UserInfo user, EventSink sink) {
        try {
            return route(request, user, sink);
        } catch (ApiException e) {
            return json(e.code(), e.toStatus());
        } catch (RuntimeException e) {
            return json(500, ApiException.internal(e.toString()).toStatus());
        }
    }

    private ApiResponse route(ApiRequest request, UserInfo user, EventSink sink) throws ApiException {
        List<String> s = request.segments();
        boolean resourcePath = (s.size() > 2 && s.get(0).equals("api")) || (s.size() > 3 && s.get(0).equals("apis"));
        if (!resourcePath) {
            access.authorize(new AuthorizationAttributes(user, request.method().toLowerCase(java.util.Locale.ROOT), null, null, null,
                    null, null, null, false, request.path()));
        }
        if (s.isEmpty()) {
            ObjectNode paths = json.createObjectNode();
            ArrayNode list = paths.putArray("paths");
            for (String path : List.of("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version")) {
                list.add(path);
            }
            return json(200, paths);
        }
        switch (s.get(0)) {
            case "healthz", "livez", "readyz" -> {
                return ApiResponse.text(200, "ok");
            }
            case "version" -> {
                return json(200, versionInfo());
            }
            case "api" -> {
                if (s.size() == 1) {
                    return json(200, discovery.coreVersions(serverAddress));
                }
                if (!s.get(1).equals("v1")) {
                    throw ApiException.notFoundPath(request.path());
                }
                if (s.size() == 2) {
                    return json(200, discovery.resources("", "v1"));
                }
                return resource(request, "", "v1", s.subList(2, s.size()), user, sink);
            }
            case "apis" -> {
                if (s.size() == 1) {
                    return json(200, discovery.groups());
                }
                if (s.size() == 2) {
                    return found(discovery.group(s.get(1)), request);
                }
                if (s.size() == 3) {
                    return found(discovery.resources(s.get(1), s.get(2)), request);
                }
                return resource(request, s.get(1), s.get(2), s.subList(3, s.size()), user, sink);
            }
            case "openapi" -> {
                if (s.size() >= 2 && s.get(1).equals("v3")) {
                    byte[] document = s.size() == 2 ? openApi.root() : openApi.document(String.join("/", s.subList(2, s.size())));
                    if (document != null) {
                        return new ApiResponse(200, "application/json", document);
                    }
                }
                throw ApiException.notFoundPath(request.path());
            }
            default -> throw ApiException.notFoundPath(request.path());
        }
    }

    private ApiResponse found(ObjectNode object, ApiRequest request) throws ApiException {
        if (object == null) {
            throw ApiException.notFoundPath(request.path());
        }
        return json(200, object);
    }

    private ObjectNode versionInfo() {
        ObjectNode info = json.createObjectNode();
        info.put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-kubundle-" + version).put("gitCommit", "")
                .put("gitTreeState", "clean").put("buildDate", "").put("goVersion", "java" + Runtime.version().feature())
                .put("compiler", "javac").put("platform", "linux/amd64");
        return info;
    }

    /** {@code [namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]]} under a group version. */
    private ApiResponse resource(ApiRequest request, String group, String version, List<String> s, UserInfo user, EventSink sink)
            throws ApiException {
        String namespace = null;
        List<String> rest = s;
        if (s.size() >= 3 && s.get(0).equals("namespaces")) {
            Optional<ResourceType> inner = types.byResource(group, version, s.get(2));
            if (inner.isPresent() && inner.get().namespaced()) {
                namespace = s.get(1);
                rest = s.subList(2, s.size());
            }
        }
        if (group.isEmpty() && namespace == null && s.size() == 3 && s.get(0).equals("namespaces") && s.get(2).equals("bindings")) {
            return legacyBinding(request, s.get(1), user);
        }
        ResourceType type = types.byResource(group, version, rest.get(0)).orElseThrow(() -> ApiException.notFoundPath(request.path()));
        if (type.namespaced() && namespace == null && rest.size() > 1) {
            throw ApiException.notFoundPath(request.path());
        }
        String name = rest.size() > 1 ? rest.get(1) : null;
        String subresource = rest.size() > 2 ? rest.get(2) : null;
        if (rest.size() > 3 || (subresource != null && !type.subresources().contains(subresource))) {
            throw ApiException.notFoundPath(request.path());
        }
        access.authorize(new AuthorizationAttributes(user, verb(request, name), group, version, type.plural(), subresource,
                namespace, name, true, request.path()));
        boolean table = request.accept().contains("as=Table");
        String userName = user.name();
        return switch (request.method()) {
            case "GET" -> name == null ? list(request, type, namespace, table, sink) : get(type, namespace, name, subresource, table);
            case "POST" -> {
                if ("binding".equals(subresource)) {
                    yield json(201, resources.bind(type, namespace, name, objectBody(request), userName));
                }
                if ("eviction".equals(subresource)) {
                    yield json(201, resources.evict(type, namespace, name, objectBody(request), userName));
                }
                if (name != null) {
                    throw ApiException.methodNotAllowed("POST is not supported on " + request.path());
                }
                yield json(201, resources.create(type, namespace, checkedBody(request, type), userName));
            }
            case "PUT" -> {
                requireName(name, request);
                if ("scale".equals(subresource)) {
                    yield json(200, resources.updateScale(type, namespace, name, bodies.decode(request), userName));
                }
                yield json(200, resources.update(type, namespace, name, subresource, checkedBody(request, type), userName));
            }
            case "PATCH" -> {
                requireName(name, request);
                JsonNode patch = bodies.decodePatch(request);
                if ("scale".equals(subresource)) {
                    JsonNode scale = MergePatch.apply(resources.scaleOf(resources.get(type, namespace, name)), patch);
                    yield json(200, resources.updateScale(type, namespace, name, scale, userName));
                }
                yield json(200, resources.patch(type, namespace, name, subresource, request.contentType(), patch, userName));
            }
            case "DELETE" -> {
                JsonNode options = request.body().length == 0 ? json.createObjectNode() : bodies.decode(request);
                if (name == null) {
                    List<ObjectNode> deleted = resources.deleteCollection(type, namespace, ListOptions.from(request.query()), options, userName);
                    yield json(200, list(type, deleted, Long.toString(resources.storage().currentRevision()), null));
                }
                yield json(200, resources.delete(type, namespace, name, options, userName));
            }
            default -> throw ApiException.methodNotAllowed(request.method() + " is not supported");
        };
    }

    /** {@code POST /api/v1/namespaces/NS/bindings}: the older form of pods/binding, naming the pod in the body. */
    private ApiResponse legacyBinding(ApiRequest request, String namespace, UserInfo user) throws ApiException {
        if (!request.method().equals("POST")) {
            throw ApiException.methodNotAllowed(request.method() + " is not supported on bindings; only create");
        }
        ResourceType pods = types.byResource("", "v1", "pods").orElseThrow();
        ObjectNode binding = objectBody(request);
        String pod = binding.path("metadata").path("name").asText("");
        access.authorize(new AuthorizationAttributes(user, "create", "", "v1", "pods", "binding", namespace, pod, true,
                request.path()));
        return json(201, resources.bind(pods, namespace, pod, binding, user.name()));
    }

    /** The Kubernetes verb of a resource request, as authorizers see it. */
    private static String verb(ApiRequest request, String name) {
        return switch (request.method()) {
            case "GET" -> name != null ? "get" : request.flag("watch") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> request.method().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static void requireName(String name, ApiRequest request) throws ApiException {
        if (name == null) {
            throw ApiException.methodNotAllowed(request.method() + " needs an object name: " + request.path());
        }
    }

    /** A create or update body, checked against the type's OpenAPI schema when {@code fieldValidation=Strict}. */
    private ObjectNode checkedBody(ApiRequest request, ResourceType type) throws ApiException {
        ObjectNode body = objectBody(request);
        openApi.checkFields(type, body, request.query().get("fieldValidation"));
        return body;
    }

    private ObjectNode objectBody(ApiRequest request) throws ApiException {
        JsonNode body = bodies.decode(request);
        if (!(body instanceof ObjectNode object)) {
            throw ApiException.badRequest("the request body must be an object");
        }
        return object;
    }

    private ApiResponse get(ResourceType type, String namespace, String name, String subresource, boolean table) throws ApiException {
        ObjectNode object = resources.get(type, namespace, name);
        if ("scale".equals(subresource)) {
            return json(200, resources.scaleOf(object));
        }
        if (table) {
            return table(Tables.table(type, List.of(object), object.path("metadata").path("resourceVersion").asText(), null, true));
        }
        return json(200, object);
    }

    private ApiResponse list(ApiRequest request, ResourceType type, String namespace, boolean table, EventSink sink) throws ApiException {
        ListOptions options = ListOptions.from(request.query());
        if (request.flag("watch")) {
            int timeout = 0;
            try {
                timeout = Integer.parseInt(request.query().getOrDefault("timeoutSeconds", "0"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("timeoutSeconds must be a number");
            }
            boolean bookmarks = request.flag("allowWatchBookmarks");
            CacheWatcher watcher = watchCache == null ? null : watchCache.watch(type, namespace, options, table, sink);
            if (watcher == null) {
                // the cache is not ready (starting, or resyncing with the store): watch the store itself
                new WatchSession(type, options, resources.storage(), watchEvents, json, sink, table)
                        .start(namespace, options.resourceVersion(), bookmarks, timeout, timers);
                return null;
            }
            sink.onClientGone(() -> watcher.close(null));
            if (bookmarks) {
                watcher.addTimer(timers.scheduleAtFixedRate(() -> watchCache.bookmark(watcher), WatchSession.BOOKMARK_SECONDS,
                        WatchSession.BOOKMARK_SECONDS, TimeUnit.SECONDS));
            }
            if (timeout > 0) {
                watcher.addTimer(timers.schedule(() -> watcher.close(null), timeout, TimeUnit.SECONDS));
            }
            return null;
        }
        WatchCache.Page cached = watchCache == null ? null : watchCache.list(type, namespace, options);
        if (cached != null) {
            return cachedList(type, cached, table);
        }
        ObjectStorage.Page page = resources.storage().list(type, namespace, options);
        String revision = Long.toString(page.revision());
        if (table) {
            return table(Tables.table(type, page.items(), revision, page.continueToken(), true));
        }
        return json(200, list(type, page.items(), revision, page.continueToken()));
    }

    /** A list served from the watch cache: the items' JSON is encoded once and reused by every list. */
    private ApiResponse cachedList(ResourceType type, WatchCache.Page page, boolean table) {
        String revision = Long.toString(page.revision());
        if (table) {
            List<ObjectNode> objects = page.items().stream().map(item -> item.object).toList();
            return table(Tables.table(type, objects, revision, page.continueToken(), true));
        }
        List<byte[]> items = page.items().stream().map(item -> item.listJson(json)).toList();
        return new ApiResponse(200, "application/json", CachedObjects.listJson(json, listHead(type, revision, page.continueToken()), items));
    }

    /** A list's kind, apiVersion and metadata. */
    private ObjectNode listHead(ResourceType type, String revision, String continueToken) {
        ObjectNode list = json.createObjectNode();
        list.put("kind", type.kind() + "List").put("apiVersion", type.apiVersion());
        ObjectNode metadata = list.putObject("metadata");
        metadata.put("resourceVersion", revision);
        if (continueToken != null) {
            metadata.put("continue", continueToken);
        }
        return list;
    }

    private ObjectNode list(ResourceType type, List<ObjectNode> items, String revision, String continueToken) {
        ObjectNode list = listHead(type, revision, continueToken);
        ArrayNode array = list.putArray("items");
        for (ObjectNode item : items) {
            // list items carry no kind and apiVersion in Kubernetes; clients take them from the list
            ObjectNode copy = item.deepCopy();
            copy.remove("kind");
            copy.remove("apiVersion");
            array.add(copy);
        }
        return list;
    }

    private ApiResponse table(ObjectNode table) {
        return new ApiResponse(200, "application/json;as=Table;v=v1;g=meta.k8s.io", bytes(table));
    }

    private ApiResponse json(int status, JsonNode body) {
        return new ApiResponse(status, "application/json", bytes(body));
    }

    private byte[] bytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            return ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
