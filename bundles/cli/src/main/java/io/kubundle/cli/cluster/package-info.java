/**
 * Multi-node clusters on one machine ({@code kubundle cluster ...}). Jackson reads and writes the
 * clusters' state records reflectively, so the package is open to it.
 */
@Open("com.fasterxml.jackson.databind")
package io.kubundle.cli.cluster;

import aQute.bnd.annotation.jpms.Open;
