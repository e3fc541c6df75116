package io.kubundle.net.flannel.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Node;
import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.transport.StreamListener;

/**
 * Just enough of an API server for the daemon: Nodes that can be listed, watched from a revision
 * (every change is kept, so a watch misses nothing), merge-patched, put and deleted by the test.
 */
final class FakeNodeApi implements ApiTransport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ONE_NODE = Pattern.compile("/api/v1/nodes/([^/?]+)");
    private static final Pattern FROM_REVISION = Pattern.compile("[?&]resourceVersion=(\\d+)");

    private record Change(long revision, String type, JsonNode object) {
    }

    private final Map<String, ObjectNode> nodes = new LinkedHashMap<>();
    private final List<Change> changes = new ArrayList<>();
    private final List<StreamListener> watchers = new ArrayList<>();
    private long revision = 1;

    /** Creates or replaces a Node. */
    synchronized void put(Node node) {
        store("ADDED", JSON.valueToTree(node));
    }

    synchronized void delete(String name) {
        ObjectNode gone = nodes.remove(name);
        if (gone != null) {
            revision++;
            gone.with("metadata").put("resourceVersion", Long.toString(revision));
            publish(new Change(revision, "DELETED", gone));
        }
    }

    synchronized Node get(String name) {
        return JSON.convertValue(nodes.get(name), Node.class);
    }

    @Override
    public synchronized ApiReply send(ApiCall call) throws IOException {
        Matcher one = ONE_NODE.matcher(call.uri());
        if (call.method().equals("GET") && call.uri().startsWith("/api/v1/nodes") && !one.lookingAt()) {
            ObjectNode list = JSON.createObjectNode().put("kind", "NodeList").put("apiVersion", "v1");
            list.putObject("metadata").put("resourceVersion", Long.toString(revision));
            nodes.values().forEach(list.putArray("items")::add);
            return json(200, list);
        }
        if (call.method().equals("PATCH") && one.matches() && nodes.containsKey(one.group(1))) {
            ObjectNode node = nodes.get(one.group(1)).deepCopy();
            merge(node, JSON.readTree(call.body()));
            return json(200, store("MODIFIED", node));
        }
        return json(404, JSON.createObjectNode().put("kind", "Status").put("status", "Failure").put("code", 404)
                .put("reason", "NotFound").put("message", call.method() + " " + call.uri()));
    }

    @Override
    public synchronized ApiStream stream(ApiCall call, StreamListener listener) {
        Matcher from = FROM_REVISION.matcher(call.uri());
        long since = from.find() ? Long.parseLong(from.group(1)) : revision;
        for (Change change : changes) {
            if (change.revision() > since) {
                listener.onLine(line(change));
            }
        }
        watchers.add(listener);
        return new Watch(listener);
    }

    /** An open watch: it is never refused, and closing it stops its events. */
    private final class Watch implements ApiStream {
        private final StreamListener listener;

        Watch(StreamListener listener) {
            this.listener = listener;
        }

        @Override
        public ApiReply refusal() {
            return null;
        }

        @Override
        public void close() {
            synchronized (FakeNodeApi.this) {
                watchers.remove(listener);
            }
        }
    }

    private ObjectNode store(String type, ObjectNode node) {
        revision++;
        node.with("metadata").put("resourceVersion", Long.toString(revision));
        String name = node.path("metadata").path("name").asText();
        nodes.put(name, node);
        publish(new Change(revision, type, node.deepCopy()));
        return node;
    }

    private void publish(Change change) {
        changes.add(change);
        for (StreamListener watcher : List.copyOf(watchers)) {
            watcher.onLine(line(change));
        }
    }

    private static byte[] line(Change change) {
        ObjectNode event = JSON.createObjectNode().put("type", change.type());
        event.set("object", change.object());
        return event.toString().getBytes(UTF_8);
    }

    /** RFC 7386 JSON merge patch. */
    private static void merge(ObjectNode target, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                target.remove(field.getKey());
            } else if (field.getValue().isObject() && target.path(field.getKey()).isObject()) {
                merge((ObjectNode) target.get(field.getKey()), field.getValue());
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    private static ApiReply json(int status, JsonNode body) {
        return new ApiReply(status, "application/json", body.toString().getBytes(UTF_8));
    }
}
