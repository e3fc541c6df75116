package io.kubundle.itests.system;

/** NodeIT's acceptance again with the native runtime ({@code up --container-runtime native}): no runc involved. */
class NativeNodeIT extends NodeIT {
    @Override
    String runtimeName() {
        return "native";
    }
}
