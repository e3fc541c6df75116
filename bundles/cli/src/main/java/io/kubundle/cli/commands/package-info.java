/**
 * The picocli commands of {@code kubundle}. picocli creates and fills them reflectively, so the
 * package is open to it.
 */
@Open("info.picocli")
package io.kubundle.cli.commands;

import aQute.bnd.annotation.jpms.Open;
