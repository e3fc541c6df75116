package io.kubundle.api.admission;

import java.util.List;
import java.util.Objects;

/**
 * Thrown by an admission hook to refuse an object whose fields are wrong, as the API server's own
 * validation does: the client receives {@code 422 Invalid} with one cause per field (kubectl
 * prints {@code The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ...}), instead of
 * the {@code 403 Forbidden} of a plain {@link AdmissionDeniedException}.
 */
public class AdmissionInvalidException extends AdmissionDeniedException {
    private static final long serialVersionUID = 1L;

    /**
     * One wrong field.
     *
     * @param reason Kubernetes' cause type: {@code FieldValueInvalid}, {@code FieldValueDuplicate},
     *        {@code FieldValueNotSupported}, {@code FieldValueRequired}, {@code FieldValueForbidden}
     * @param field the field's path, such as {@code spec.ports[0].nodePort}
     * @param message what is wrong, such as {@code Invalid value: 30080: provided port is already allocated}
     */
    public record Cause(String reason, String field, String message) {
        public Cause {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }

    private final List<Cause> causes;

    public AdmissionInvalidException(List<Cause> causes) {
        super(describe(causes));
        this.causes = List.copyOf(causes);
    }

    /** The wrong fields, at least one. */
    public List<Cause> causes() {
        return causes;
    }

    private static String describe(List<Cause> causes) {
        if (causes.isEmpty()) {
            throw new IllegalArgumentException("an invalid object needs at least one cause");
        }
        StringBuilder text = new StringBuilder();
        for (Cause cause : causes) {
            text.append(text.length() == 0 ? "" : ", ").append(cause.field()).append(": ").append(cause.message());
        }
        return text.toString();
    }
}
