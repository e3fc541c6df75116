/**
 * Admission: hooks that see, and may change or refuse, every object the API server is asked to
 * write, before it is validated and stored.
 *
 * <p>A vendor implements {@link io.kubundle.api.admission.MutatingAdmission} (may change the
 * object) or {@link io.kubundle.api.admission.ValidatingAdmission} (may only refuse; runs after
 * the mutating hooks and the server's own validation) and registers it as an OSGi service; the
 * admission chain picks it up while the system runs and drops it when its bundle leaves.
 *
 * <p>A hook refuses with {@link io.kubundle.api.admission.AdmissionDeniedException} ({@code 403
 * Forbidden}) or, for wrong fields, {@link io.kubundle.api.admission.AdmissionInvalidException}
 * ({@code 422 Invalid} with a cause per field, as the API server's validation answers).
 */
@Export
@Version("1.2.0")
package io.kubundle.api.admission;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
