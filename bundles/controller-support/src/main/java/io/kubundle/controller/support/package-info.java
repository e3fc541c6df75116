/**
 * What every controller shares: the built-in kinds as fabric8 model classes ({@link
 * io.kubundle.controller.support.Kinds}), label selectors, owner references, generated names,
 * events, pod states, controller revisions ({@link io.kubundle.controller.support.Revisions}), informer helpers ({@link io.kubundle.controller.support.Informers}). Controllers run under the client bundle's
 * {@link io.kubundle.client.kube.ControllerHost}, which starts a
 * controller once the API server answers.
 */
@Export
@Version("2.0.0")
package io.kubundle.controller.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
