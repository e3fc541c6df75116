package io.kubundle.api.admission;

import java.util.Map;
import java.util.Objects;

/**
 * One write the API server has been asked to make, as admission hooks see it.
 *
 * <p>The object is the JSON form of the resource as a mutable tree of {@code Map}, {@code List},
 * {@code String}, {@code Number}, {@code Boolean} and {@code null}, exactly as a webhook would
 * receive it, so hooks need no model classes and keep working across model versions.
 *
 * @param operation what the client asked for
 * @param apiVersion the resource's {@code apiVersion}, such as {@code apps/v1}
 * @param kind the resource's kind, such as {@code Deployment}
 * @param namespace the namespace, or {@code null} for a cluster-scoped resource
 * @param name the object's name (may be empty when the server will generate it)
 * @param object the object to be stored; hooks may change it in place
 * @param oldObject the stored object for UPDATE and DELETE, otherwise {@code null}; read-only
 * @param user the name of the authenticated user making the request
 */
public record AdmissionRequest(
        Operation operation,
        String apiVersion,
        String kind,
        String namespace,
        String name,
        Map<String, Object> object,
        Map<String, Object> oldObject,
        String user) {

    /** The kinds of write admission sees. */
    public enum Operation { CREATE, UPDATE, DELETE }

    public AdmissionRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(object, "object");
    }
}
