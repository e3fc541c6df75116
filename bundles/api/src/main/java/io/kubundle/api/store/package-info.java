/**
 * The store SPI: a revisioned key-value store with watch, the contract of etcd's v3 API that the
 * API server needs (as kine narrows it for k3s). The embedded default and the etcd backend are
 * plugins that implement {@link io.kubundle.api.store.Store}; the API server is its only caller.
 *
 * <p>Every write gets the next global revision (a positive, strictly increasing number);
 * Kubernetes' {@code resourceVersion} is that revision. History is kept until compacted, so a
 * list can be read at an earlier revision and a watch can start from one.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
