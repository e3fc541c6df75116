package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The describe sections of pods and deployments, and of the containers and pod templates they share. */
final class WorkloadDescriptions {
    private final DescribeText out;

    WorkloadDescriptions(DescribeText out) {
        this.out = out;
    }

    void pod(JsonNode pod) {
        JsonNode metadata = pod.path("metadata");
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        Describer.header(out, pod, true);
        out.field(0, "Priority", spec.path("priority").asText("0"));
        out.field(0, "Service Account", spec.path("serviceAccountName").asText(""));
        String node = spec.path("nodeName").asText("");
        String hostIp = status.path("hostIP").asText("");
        out.field(0, "Node", node.isEmpty() ? "<none>" : hostIp.isEmpty() ? node : node + "/" + hostIp);
        if (status.has("startTime")) {
            out.field(0, "Start Time", out.time(status.path("startTime").asText()));
        }
        Describer.labelsAndAnnotations(out, metadata);
        if (metadata.has("deletionTimestamp")) {
            out.field(0, "Status", "Terminating (lasts " + metadata.path("deletionTimestamp").asText() + ")");
        } else {
            out.field(0, "Status", status.path("phase").asText(""));
        }
        if (status.has("reason")) {
            out.field(0, "Reason", status.path("reason").asText());
        }
        out.line(0, "IP:\t" + status.path("podIP").asText(""));
        if (status.path("podIPs").isEmpty()) {
            out.field(0, "IPs", "<none>");
        } else {
            out.line(0, "IPs:");
            status.path("podIPs").forEach(ip -> out.line(1, "IP:\t" + ip.path("ip").asText()));
        }
        if (spec.path("initContainers").size() > 0) {
            containers("Init Containers", spec.path("initContainers"), status.path("initContainerStatuses"), 0);
        }
        containers("Containers", spec.path("containers"), status.path("containerStatuses"), 0);
        if (status.path("conditions").size() > 0) {
            out.line(0, "Conditions:");
            out.line(1, "Type\tStatus");
            status.path("conditions").forEach(c -> out.line(1, c.path("type").asText() + " \t" + c.path("status").asText()));
        }
        volumes(spec.path("volumes"), 0);
        out.field(0, "QoS Class", status.path("qosClass").asText(""));
        out.field(0, "Node-Selectors", DescribeText.inline(spec.path("nodeSelector")));
        List<String> tolerations = new ArrayList<>();
        for (JsonNode toleration : spec.path("tolerations")) {
            String key = toleration.path("key").asText("");
            String value = toleration.path("value").asText("");
            String effect = toleration.path("effect").asText("");
            String exists = toleration.path("operator").asText("").equals("Exists") ? (key.isEmpty() ? "op=Exists" : " op=Exists") : "";
            String text = key + (value.isEmpty() ? "" : "=" + value) + (effect.isEmpty() ? "" : ":" + effect) + exists
                    + (toleration.has("tolerationSeconds") ? " for " + toleration.path("tolerationSeconds").asText() + "s" : "");
            tolerations.add(text);
        }
        multiline("Tolerations", tolerations);
    }

    void deployment(JsonNode deployment) {
        JsonNode metadata = deployment.path("metadata");
        JsonNode spec = deployment.path("spec");
        JsonNode status = deployment.path("status");
        Describer.header(out, deployment, true);
        out.field(0, "CreationTimestamp", out.time(metadata.path("creationTimestamp").asText("")));
        Describer.labelsAndAnnotations(out, metadata);
        out.field(0, "Selector", selector(spec.path("selector")));
        int replicas = spec.path("replicas").asInt(1);
        int total = status.path("replicas").asInt(0);
        out.field(0, "Replicas", replicas + " desired | " + status.path("updatedReplicas").asInt(0) + " updated | " + total
                + " total | " + status.path("availableReplicas").asInt(0) + " available | "
                + status.path("unavailableReplicas").asInt(0) + " unavailable");
        JsonNode strategy = spec.path("strategy");
        String type = strategy.path("type").asText("RollingUpdate");
        out.field(0, "StrategyType", type);
        out.field(0, "MinReadySeconds", spec.path("minReadySeconds").asText("0"));
        if (type.equals("RollingUpdate")) {
            JsonNode rolling = strategy.path("rollingUpdate");
            out.field(0, "RollingUpdateStrategy", rolling.path("maxUnavailable").asText("25%") + " max unavailable, "
                    + rolling.path("maxSurge").asText("25%") + " max surge");
        }
        podTemplate(spec.path("template"));
        if (status.path("conditions").size() > 0) {
            out.line(0, "Conditions:");
            out.line(1, "Type\tStatus\tReason");
            out.line(1, "----\t------\t------");
            status.path("conditions").forEach(c -> out.line(1, c.path("type").asText() + " \t" + c.path("status").asText()
                    + "\t" + c.path("reason").asText("")));
        }
    }

    private void podTemplate(JsonNode template) {
        out.line(0, "Pod Template:");
        JsonNode metadata = template.path("metadata");
        out.map(1, "Labels", metadata.path("labels"), "=");
        if (metadata.path("annotations").size() > 0) {
            out.map(1, "Annotations", metadata.path("annotations"), ": ");
        }
        JsonNode spec = template.path("spec");
        if (spec.has("serviceAccountName")) {
            out.field(1, "Service Account", spec.path("serviceAccountName").asText());
        }
        if (spec.path("initContainers").size() > 0) {
            containers("Init Containers", spec.path("initContainers"), null, 1);
        }
        containers("Containers", spec.path("containers"), null, 1);
        volumes(spec.path("volumes"), 1);
        out.field(1, "Node-Selectors", DescribeText.inline(spec.path("nodeSelector")));
        out.field(1, "Tolerations", "");
    }

    private void containers(String title, JsonNode containers, JsonNode statuses, int level) {
        out.line(level, title + ":");
        for (JsonNode container : containers) {
            String name = container.path("name").asText();
            // kubectl indents a template's containers by one space less than a pod's
            String nameIndent = statuses == null ? " " : "  ";
            out.line(level, nameIndent + name + ":");
            int inner = 2;
            JsonNode status = statuses == null ? null : statusOf(statuses, name);
            if (status != null && status.has("containerID")) {
                out.field(inner, "Container ID", status.path("containerID").asText());
            }
            out.field(inner, "Image", container.path("image").asText(""));
            if (status != null && status.has("imageID")) {
                out.line(inner, "Image ID:\t" + status.path("imageID").asText(""));
            }
            ports(container.path("ports"), inner);
            args("Command", container.path("command"), inner);
            args("Args", container.path("args"), inner);
            if (status != null) {
                state(status, inner);
            }
            resources(container.path("resources"), inner);
            environment(container.path("env"), inner);
            mounts(container.path("volumeMounts"), inner);
        }
    }

    private static JsonNode statusOf(JsonNode statuses, String name) {
        for (JsonNode status : statuses) {
            if (status.path("name").asText().equals(name)) {
                return status;
            }
        }
        return null;
    }

    private void ports(JsonNode ports, int level) {
        if (ports.isEmpty()) {
            out.field(level, "Port", "<none>").field(level, "Host Port", "<none>");
            return;
        }
        List<String> container = new ArrayList<>();
        List<String> host = new ArrayList<>();
        for (JsonNode port : ports) {
            String protocol = port.path("protocol").asText("TCP");
            container.add(port.path("containerPort").asText() + "/" + protocol);
            host.add(port.path("hostPort").asText("0") + "/" + protocol);
        }
        out.field(level, ports.size() == 1 ? "Port" : "Ports", String.join(", ", container));
        out.field(level, ports.size() == 1 ? "Host Port" : "Host Ports", String.join(", ", host));
    }

    private void args(String title, JsonNode args, int level) {
        if (args.isEmpty()) {
            return;
        }
        out.line(level, title + ":");
        args.forEach(arg -> out.line(level + 1, arg.asText()));
    }

    private void state(JsonNode status, int level) {
        JsonNode state = status.path("state");
        for (String name : List.of("running", "waiting", "terminated")) {
            JsonNode detail = state.path(name);
            if (detail.isObject()) {
                out.field(level, "State", DescribeText.label(name));
                if (detail.has("reason")) {
                    out.field(level + 1, "Reason", detail.path("reason").asText());
                }
                if (detail.has("exitCode")) {
                    out.field(level + 1, "Exit Code", detail.path("exitCode").asText());
                }
                if (detail.has("startedAt")) {
                    out.field(level + 1, "Started", out.time(detail.path("startedAt").asText()));
                }
                if (detail.has("finishedAt")) {
                    out.field(level + 1, "Finished", out.time(detail.path("finishedAt").asText()));
                }
            }
        }
        out.field(level, "Ready", Boolean.toString(status.path("ready").asBoolean(false))
                .replace("true", "True").replace("false", "False"));
        out.field(level, "Restart Count", status.path("restartCount").asText("0"));
    }

    private void resources(JsonNode resources, int level) {
        for (String section : List.of("limits", "requests")) {
            if (resources.path(section).size() > 0) {
                out.line(level, DescribeText.label(section) + ":");
                resources.path(section).fields().forEachRemaining(e -> out.line(level + 1, e.getKey() + ":\t" + e.getValue().asText()));
            }
        }
    }

    private void environment(JsonNode env, int level) {
        if (env.isEmpty()) {
            out.field(level, "Environment", "<none>");
            return;
        }
        out.line(level, "Environment:");
        for (JsonNode variable : env) {
            String value = variable.has("value") ? variable.path("value").asText()
                    : variable.has("valueFrom") ? "<set from " + variable.path("valueFrom").fieldNames().next() + ">" : "";
            out.line(level + 1, variable.path("name").asText() + ":\t" + value);
        }
    }

    private void mounts(JsonNode mounts, int level) {
        if (mounts.isEmpty()) {
            out.field(level, "Mounts", "<none>");
            return;
        }
        out.line(level, "Mounts:");
        for (JsonNode mount : mounts) {
            out.line(level + 1, mount.path("mountPath").asText() + " from " + mount.path("name").asText() + " ("
                    + (mount.path("readOnly").asBoolean(false) ? "ro" : "rw") + ")");
        }
    }

    private void volumes(JsonNode volumes, int level) {
        if (volumes.isEmpty()) {
            out.field(level, "Volumes", "<none>");
            return;
        }
        out.line(level, "Volumes:");
        for (JsonNode volume : volumes) {
            out.line(level + 1, volume.path("name").asText() + ":");
            volume.fields().forEachRemaining(source -> {
                if (!source.getKey().equals("name")) {
                    out.field(level + 2, "Type", source.getKey());
                    source.getValue().fields().forEachRemaining(e -> out.line(level + 2,
                            DescribeText.label(e.getKey()) + ":\t" + e.getValue().asText()));
                }
            });
        }
    }

    private void multiline(String title, List<String> values) {
        if (values.isEmpty()) {
            out.field(0, title, "<none>");
            return;
        }
        for (int i = 0; i < values.size(); i++) {
            out.line(0, (i == 0 ? title + ":" : "") + "\t" + values.get(i));
        }
    }

    /** A label selector in one line: {@code app=web,tier in (a,b)}. */
    static String selector(JsonNode selector) {
        List<String> parts = new ArrayList<>();
        String labels = DescribeText.inline(selector.path("matchLabels"));
        if (!labels.isEmpty()) {
            parts.add(labels);
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String operator = expression.path("operator").asText();
            String key = expression.path("key").asText();
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            parts.add(switch (operator) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                default -> "!" + key;
            });
        }
        return String.join(",", parts);
    }
}
