package io.kubundle.apiserver.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.UserInfo;

/**
 * Routes a request to discovery, health, or a resource verb, and turns the outcome into JSON,
 * protobuf, a Table or a watch stream, whichever the client's Accept header prefers of those the
 * server can produce ({@link MediaTypes}). Every failure becomes a {@code Status}.
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
    private final KubeletProxy kubelets;
    private final OpenApi openApi = new OpenApi();

    /** What any object can be answered as. */
    private static final List<String> PLAIN = List.of(MediaTypes.JSON, MediaTypes.PROTOBUF);
    /** What a get, list or watch can be answered as: Kubernetes has no protobuf form of a Table. */
    private static final List<String> READ = List.of(MediaTypes.JSON, MediaTypes.PROTOBUF, MediaTypes.TABLE_JSON);
    private static final String AGGREGATED = ";g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList";
    /** What {@code /api} and {@code /apis} can be answered as: plain or aggregated discovery. */
    private static final List<String> DISCOVERY = List.of(MediaTypes.JSON, MediaTypes.PROTOBUF,
            MediaTypes.JSON + AGGREGATED.formatted("v2"), MediaTypes.PROTOBUF + AGGREGATED.formatted("v2"),
            MediaTypes.JSON + AGGREGATED.formatted("v2beta1"), MediaTypes.PROTOBUF + AGGREGATED.formatted("v2beta1"));

    ApiHandler(ResourceTypes types, Resources resources, ObjectMapper json, BodyDecoder bodies, ScheduledExecutorService timers,
            String serverAddress, String version, AccessControl access, WatchCache watchCache, KubeletProxy kubelets) {
        this.access = access;
        this.kubelets = kubelets;
        this.watchCache = watchCache;
        this.watchEvents = watchCache != null ? watchCache.storeEvents() : new WatchEventCache(resources.storage());
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
            return reply(request, e.code(), e.toStatus());
        } catch (RuntimeException e) {
            return reply(request, 500, ApiException.internal(e.toString()).toStatus());
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
            for (String path : List.of("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz",
                    "/version")) {
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
                    return discoveryRoot(request, true);
                }
                if (!s.get(1).equals("v1")) {
                    throw ApiException.notFoundPath(request.path());
                }
                if (s.size() == 2) {
                    return reply(request, 200, discovery.resources("", "v1"));
                }
                return resource(request, "", "v1", s.subList(2, s.size()), user, sink);
            }
            case "apis" -> {
                if (s.size() == 1) {
                    return discoveryRoot(request, false);
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
                if (s.size() == 2 && s.get(1).equals("v2") && openApi.v2() != null) {
                    if (MediaTypes.choose(request.accept(), List.of(MediaTypes.JSON)) == null) {
                        // the gnostic protobuf document is not made: say so, as Kubernetes does for types it lacks
                        throw new ApiException(406, "NotAcceptable", "only the following media types are accepted: "
                                + MediaTypes.JSON);
                    }
                    return new ApiResponse(200, MediaTypes.JSON, openApi.v2());
                }
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
        return reply(request, 200, object);
    }

    /** {@code /api} or {@code /apis}: aggregated discovery when the client asks for it, the plain document otherwise. */
    private ApiResponse discoveryRoot(ApiRequest request, boolean core) {
        String chosen = MediaTypes.choose(request.accept(), DISCOVERY);
        if (chosen == null || chosen.equals(MediaTypes.JSON) || chosen.equals(MediaTypes.PROTOBUF)) {
            return reply(request, 200, core ? discovery.coreVersions(serverAddress) : discovery.groups());
        }
        String version = chosen.contains("v=v2beta1") ? "v2beta1" : "v2";
        ObjectNode aggregated = discovery.aggregated(core, "apidiscovery.k8s.io/" + version);
        if (chosen.startsWith(MediaTypes.PROTOBUF)) {
            ApiResponse protobuf = protobuf(request, 200, aggregated, chosen);
            if (protobuf != null) {
                return protobuf;
            }
            chosen = MediaTypes.JSON + AGGREGATED.formatted(version);
        }
        return new ApiResponse(200, chosen, bytes(aggregated));
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
        boolean kubeletSubresource = "log".equals(subresource) || (subresource != null && KubeletProxy.STREAMS.contains(subresource));
        if (group.isEmpty() && type.plural().equals("pods") && kubeletSubresource) {
            return podStream(request, namespace, name, subresource, sink);
        }
        String representation = MediaTypes.choose(request.accept(), READ);
        boolean table = MediaTypes.TABLE_JSON.equals(representation);
        String userName = user.name();
        return switch (request.method()) {
            case "GET" -> name == null ? list(request, type, namespace, representation, sink)
                    : get(request, type, namespace, name, subresource, table);
            case "POST" -> {
                if ("binding".equals(subresource)) {
                    yield reply(request, 201, resources.bind(type, namespace, name, objectBody(request), userName));
                }
                if ("eviction".equals(subresource)) {
                    yield reply(request, 201, resources.evict(type, namespace, name, objectBody(request), userName));
                }
                if (name != null) {
                    throw ApiException.methodNotAllowed("POST is not supported on " + request.path());
                }
                String manager = fieldManager(request, "CreateOptions", false);
                List<String> warnings = new ArrayList<>();
                ObjectNode body = checkedBody(request, type, warnings);
                if (CertificateSigningRequests.isCsr(type)) {
                    CertificateSigningRequests.prepareForCreate(body, user);
                }
                yield reply(request, 201, resources.create(type, namespace, body, userName, ManagedFields.Writer.update(manager)), warnings);
            }
            case "PUT" -> {
                requireName(name, request);
                String manager = fieldManager(request, "UpdateOptions", false);
                if ("scale".equals(subresource)) {
                    yield reply(request, 200, resources.updateScale(type, namespace, name, bodies.decode(request), userName, manager));
                }
                List<String> warnings = new ArrayList<>();
                ObjectNode body = checkedBody(request, type, warnings);
                yield reply(request, 200, resources.update(type, namespace, name, subresource, body, userName,
                        ManagedFields.Writer.update(manager)), warnings);
            }
            case "PATCH" -> {
                requireName(name, request);
                yield patch(request, type, namespace, name, subresource, user);
            }
            case "DELETE" -> {
                JsonNode options = request.body().length == 0 ? json.createObjectNode() : bodies.decode(request);
                if (name == null) {
                    List<ObjectNode> deleted = resources.deleteCollection(type, namespace, ListOptions.from(request.query()), options, userName);
                    yield reply(request, 200, list(type, deleted, Long.toString(resources.storage().currentRevision()), null));
                }
                yield reply(request, 200, resources.delete(type, namespace, name, options, userName));
            }
            default -> throw ApiException.methodNotAllowed(request.method() + " is not supported");
        };
    }

    /**
     * {@code pods/log} streamed from the pod's kubelet; {@code pods/exec|attach|portforward} reach
     * here only without an upgrade, which they need ({@link NettyApiServer} proxies the upgrades).
     */
    private ApiResponse podStream(ApiRequest request, String namespace, String name, String subresource, EventSink sink)
            throws ApiException {
        if (!subresource.equals("log")) {
            throw ApiException.badRequest("Upgrade request required");
        }
        if (!request.method().equals("GET")) {
            throw ApiException.methodNotAllowed(request.method() + " is not supported on pods/log");
        }
        Map<String, List<String>> query = new HashMap<>();
        request.query().forEach((key, value) -> query.put(key, List.of(value)));
        kubelets.logs(kubelets.target(namespace, name, subresource, query), sink);
        return null;
    }

    /** Whether the request is for {@code pods/exec}, {@code pods/attach} or {@code pods/portforward}, which are upgrades. */
    static boolean isPodStream(ApiRequest request) {
        List<String> s = request.segments();
        return s.size() == 7 && s.get(0).equals("api") && s.get(1).equals("v1") && s.get(2).equals("namespaces")
                && s.get(4).equals("pods") && KubeletProxy.STREAMS.contains(s.get(6));
    }

    /**
     * Where an upgrade for {@code pods/exec|attach|portforward} goes, once the user may: {@code
     * create} on the subresource, whatever the method (a WebSocket upgrade is a GET), as
     * Kubernetes authorizes them since 1.31.
     *
     * @param query the request's parameters with every value ({@code command} repeats)
     */
    KubeletProxy.Target podStreamTarget(ApiRequest request, Map<String, List<String>> query, UserInfo user) throws ApiException {
        List<String> s = request.segments();
        access.authorize(new AuthorizationAttributes(user, "create", "", "v1", "pods", s.get(6), s.get(3), s.get(5), true,
                request.path()));
        return kubelets.target(s.get(3), s.get(5), s.get(6), query);
    }

    KubeletProxy kubelets() {
        return kubelets;
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
        return reply(request, 201, resources.bind(pods, namespace, pod, binding, user.name()));
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

    /**
     * PATCH: server-side apply ({@code application/apply-patch+yaml}), or a merge, JSON or
     * strategic merge patch, whose result is checked for unknown fields as {@code fieldValidation} asks.
     */
    private ApiResponse patch(ApiRequest request, ResourceType type, String namespace, String name, String subresource,
            UserInfo requester) throws ApiException {
        String user = requester.name();
        boolean apply = request.contentType().startsWith("application/apply-patch");
        String manager = fieldManager(request, "PatchOptions", apply);
        JsonNode patch = bodies.decodePatch(request);
        if ("scale".equals(subresource)) {
            if (apply) {
                throw new ApiException(415, "UnsupportedMediaType", "server-side apply of the scale subresource is not supported; apply the "
                        + type.singular() + " itself");
            }
            JsonNode scale = MergePatch.apply(resources.scaleOf(resources.get(type, namespace, name)), patch);
            return reply(request, 200, resources.updateScale(type, namespace, name, scale, user, manager));
        }
        String validation = request.query().get("fieldValidation");
        List<String> warnings = new ArrayList<>();
        if (apply) {
            if (!(patch instanceof ObjectNode config)) {
                throw ApiException.badRequest("the applied configuration must be an object");
            }
            warnings.addAll(openApi.checkFields(type, config, null, validation));
            if (CertificateSigningRequests.isCsr(type) && subresource == null) {
                // in case the apply creates it; an update keeps the stored spec whatever the config says
                CertificateSigningRequests.prepareForCreate(config, requester);
            }
            Resources.Applied applied = resources.apply(type, namespace, name, subresource, config, user,
                    ManagedFields.Writer.apply(manager, config, request.flag("force")));
            return reply(request, applied.created() ? 201 : 200, applied.object(), warnings);
        }
        ObjectNode patched = resources.patch(type, namespace, name, subresource, request.contentType(), patch, user,
                ManagedFields.Writer.update(manager), (before, after) -> {
                    warnings.clear();
                    warnings.addAll(openApi.checkFields(type, after, before, validation));
                });
        return reply(request, 200, patched, warnings);
    }

    /**
     * The field manager of a write: the {@code fieldManager} parameter, else the User-Agent's
     * prefix. The options Kubernetes refuses are 422 on {@code optionsKind}: apply without a
     * manager, {@code force} on another patch, a manager too long or not printable, an unknown
     * {@code fieldValidation}.
     */
    private static String fieldManager(ApiRequest request, String optionsKind, boolean apply) throws ApiException {
        String given = request.query().getOrDefault("fieldManager", "");
        List<ApiException.Cause> causes = new ArrayList<>();
        if (apply && given.isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueRequired", "fieldManager", "Required value: is required for apply patch"));
        }
        if (!apply && optionsKind.equals("PatchOptions") && request.query().containsKey("force")) {
            causes.add(new ApiException.Cause("FieldValueForbidden", "force", "Forbidden: may not be specified for non-apply patch"));
        }
        if (given.length() > ManagedFields.MAX_MANAGER_LENGTH) {
            causes.add(new ApiException.Cause("FieldValueTooLong", "fieldManager", "Too long: may not be more than "
                    + ManagedFields.MAX_MANAGER_LENGTH + " bytes"));
        }
        if (!given.codePoints().allMatch(ManagedFields::printable)) {
            causes.add(new ApiException.Cause("FieldValueInvalid", "fieldManager", "Invalid value: " + TextNode.valueOf(given)
                    + ": all characters must be printable"));
        }
        String validation = request.query().getOrDefault("fieldValidation", "");
        if (!List.of("", "Ignore", "Warn", "Strict").contains(validation)) {
            causes.add(new ApiException.Cause("FieldValueNotSupported", "fieldValidation", "Unsupported value: "
                    + TextNode.valueOf(validation) + ": supported values: \"Ignore\", \"Strict\", \"Warn\""));
        }
        if (!causes.isEmpty()) {
            throw ApiException.invalidOptions(optionsKind, causes);
        }
        return given.isEmpty() ? ManagedFields.managerFromUserAgent(request.header().apply("User-Agent")) : given;
    }

    /** A create or update body, checked against the type's OpenAPI schema as {@code fieldValidation} asks. */
    private ObjectNode checkedBody(ApiRequest request, ResourceType type, List<String> warnings) throws ApiException {
        ObjectNode body = objectBody(request);
        warnings.addAll(openApi.checkFields(type, body, null, request.query().get("fieldValidation")));
        return body;
    }

    private ObjectNode objectBody(ApiRequest request) throws ApiException {
        JsonNode body = bodies.decode(request);
        if (!(body instanceof ObjectNode object)) {
            throw ApiException.badRequest("the request body must be an object");
        }
        return object;
    }

    private ApiResponse get(ApiRequest request, ResourceType type, String namespace, String name, String subresource, boolean table)
            throws ApiException {
        ObjectNode object = resources.get(type, namespace, name);
        if ("scale".equals(subresource)) {
            return reply(request, 200, resources.scaleOf(object));
        }
        if (table) {
            return table(Tables.table(type, List.of(object), object.path("metadata").path("resourceVersion").asText(), null, true));
        }
        return reply(request, 200, object);
    }

    private ApiResponse list(ApiRequest request, ResourceType type, String namespace, String representation, EventSink sink)
            throws ApiException {
        boolean table = MediaTypes.TABLE_JSON.equals(representation);
        ListOptions options = ListOptions.from(request.query());
        if (request.flag("watch")) {
            int timeout = 0;
            try {
                timeout = Integer.parseInt(request.query().getOrDefault("timeoutSeconds", "0"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("timeoutSeconds must be a number");
            }
            WatchFormat format = WatchFormat.of(representation, type);
            boolean bookmarks = request.flag("allowWatchBookmarks");
            CacheWatcher watcher = watchCache == null ? null : watchCache.watch(type, namespace, options, format, sink);
            if (watcher == null) {
                // the cache is off or not ready (starting, or resyncing with the store): watch the store itself
                new WatchSession(type, options, resources.storage(), watchEvents, json, sink, format)
                        .start(namespace, options.resourceVersion(), bookmarks, timeout, timers);
                return null;
            }
            sink.onClientGone(() -> watcher.close(null));
            if (bookmarks) {
                ScheduledFuture<?> timer = timers.scheduleAtFixedRate(() -> watchCache.bookmark(watcher),
                        WatchSession.BOOKMARK_SECONDS, WatchSession.BOOKMARK_SECONDS, TimeUnit.SECONDS);
                watcher.onEnd(() -> timer.cancel(false));
            }
            if (timeout > 0) {
                ScheduledFuture<?> timer = timers.schedule(() -> watcher.close(null), timeout, TimeUnit.SECONDS);
                watcher.onEnd(() -> timer.cancel(false));
            }
            return null;
        }
        WatchCache.Page cached = watchCache == null ? null : watchCache.list(type, namespace, options);
        if (cached != null) {
            return cachedList(request, type, cached, representation);
        }
        ObjectStorage.Page page = resources.storage().list(type, namespace, options);
        String revision = Long.toString(page.revision());
        if (table) {
            return table(Tables.table(type, page.items(), revision, page.continueToken(), true));
        }
        return reply(request, 200, list(type, page.items(), revision, page.continueToken()));
    }

    /**
     * A list served from the watch cache: the items' JSON or protobuf is encoded once and reused by
     * every list, in the representation content negotiation chose.
     */
    private ApiResponse cachedList(ApiRequest request, ResourceType type, WatchCache.Page page, String representation) {
        String revision = Long.toString(page.revision());
        if (MediaTypes.TABLE_JSON.equals(representation)) {
            List<ObjectNode> objects = page.items().stream().map(item -> item.object).toList();
            return table(Tables.table(type, objects, revision, page.continueToken(), true));
        }
        ObjectNode head = listHead(type, revision, page.continueToken());
        if (MediaTypes.PROTOBUF.equals(representation) && ProtobufBodies.canEncode(type.apiVersion(), type.kind() + "List")) {
            List<String> dropped = new ArrayList<>();
            List<byte[]> items = new ArrayList<>(page.items().size());
            for (CachedObjects.Item item : page.items()) {
                ProtobufBodies.Encoded message = item.protobufMessage();
                dropped.addAll(message.dropped());
                items.add(message.body());
            }
            // as reply(): a message lacking some fields only for a client that takes nothing else
            if (dropped.isEmpty() || !MediaTypes.acceptsJson(request.accept())) {
                return new ApiResponse(200, MediaTypes.PROTOBUF,
                        ProtobufBodies.list(type.apiVersion(), type.kind() + "List", revision, page.continueToken(), items));
            }
        }
        List<byte[]> items = page.items().stream().map(item -> item.listJson(json)).toList();
        return new ApiResponse(200, MediaTypes.JSON, CachedObjects.listJson(json, head, items));
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

    /** An object in the representation the client prefers: protobuf if it asks for that first and the kind has one, else JSON. */
    private ApiResponse reply(ApiRequest request, int status, JsonNode body) {
        return reply(request, status, body, List.of());
    }

    /** The body in the form the client prefers (protobuf or JSON), with {@code Warning} headers. */
    private ApiResponse reply(ApiRequest request, int status, JsonNode body, List<String> warnings) {
        if (MediaTypes.PROTOBUF.equals(MediaTypes.choose(request.accept(), PLAIN))) {
            ApiResponse protobuf = protobuf(request, status, body, MediaTypes.PROTOBUF);
            if (protobuf != null) {
                return protobuf.withWarnings(warnings);
            }
        }
        return json(status, body, warnings);
    }

    /**
     * The protobuf answer, or null for JSON: when the kind has no protobuf form, or when the
     * message would lack some of the object's fields and the client takes JSON as well.
     */
    private static ApiResponse protobuf(ApiRequest request, int status, JsonNode body, String contentType) {
        ProtobufBodies.Encoded encoded = ProtobufBodies.shared().encode(body);
        if (encoded == null || (!encoded.dropped().isEmpty() && MediaTypes.acceptsJson(request.accept()))) {
            return null;
        }
        ProtobufBodies.warnDropped(body, encoded.dropped());
        return new ApiResponse(status, contentType, encoded.body());
    }

    private ApiResponse json(int status, JsonNode body) {
        return new ApiResponse(status, "application/json", bytes(body));
    }

    /** A JSON reply with {@code Warning} headers, one per warning. */
    private ApiResponse json(int status, JsonNode body, List<String> warnings) {
        return new ApiResponse(status, "application/json", bytes(body), List.copyOf(warnings));
    }

    private byte[] bytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            return ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
