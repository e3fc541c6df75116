/**
 * Admission: hooks that see, and may change or refuse, every object the API server is asked to
 * write, before it is validated and stored.
 *
 * <p>A vendor implements {@link io.kubundle.api.admission.MutatingAdmission} (may change the
 * object) or {@link io.kubundle.api.admission.ValidatingAdmission} (may only refuse; runs after
 * the mutating hooks and the server's own validation) and registers it as an OSGi service; the
 * admission chain picks it up while the system runs and drops it when its bundle leaves.
 */
@Export
@Version("1.1.0")
package io.kubundle.api.admission;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
