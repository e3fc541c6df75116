package io.kubundle.api.runtime;

/** What a command run by {@link ContainerRuntime#execSync} did. */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) { }
