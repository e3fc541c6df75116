package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubundle.client.kube.ApiStatusException;
import java.util.LinkedHashSet;
import java.util.Set;

/** A server's {@code Status} errors in kubectl's words. */
public final class ApiErrors {
    private ApiErrors() {
    }

    /** The message kubectl prints for the error. */
    public static String message(ApiStatusException e) {
        return message(e, null);
    }

    /**
     * The message kubectl prints for the error of an object read from a file.
     *
     * @param context such as {@code error when creating "nginx.yml"}, or null
     */
    public static String message(ApiStatusException e, String context) {
        JsonNode status = e.status();
        String message = status.path("message").asText("");
        if (message.isEmpty()) {
            message = e.getMessage();
        }
        if (context != null) {
            message = context + ": " + message;
        }
        JsonNode details = status.path("details");
        if ("Invalid".equals(e.reason()) && (details.hasNonNull("kind") || details.hasNonNull("name"))) {
            return invalid(details);
        }
        if ("Unauthorized".equals(e.reason())) {
            return "error: You must be logged in to the server (" + message + ")";
        }
        if (e.reason() == null || e.reason().isEmpty() || "Unknown".equals(e.reason())) {
            return "Error from server: " + message;
        }
        return "Error from server (" + e.reason() + "): " + message;
    }

    // "The Deployment "x" is invalid: field: message", one cause per line when there are several
    private static String invalid(JsonNode details) {
        String prefix = "The " + details.path("kind").asText("") + " \"" + details.path("name").asText("") + "\" is invalid";
        Set<String> causes = new LinkedHashSet<>();
        for (JsonNode cause : details.path("causes")) {
            causes.add(cause.path("field").asText("") + ": " + cause.path("message").asText(""));
        }
        if (causes.isEmpty()) {
            return prefix;
        }
        if (causes.size() == 1) {
            return prefix + ": " + causes.iterator().next();
        }
        StringBuilder text = new StringBuilder(prefix).append(": ");
        causes.forEach(cause -> text.append("\n* ").append(cause));
        return text.toString();
    }
}
