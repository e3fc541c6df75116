package io.kubundle.controller.service.internal;

/** The Service an IP address or a node port is allocated to. */
record Owner(String namespace, String name) {
    /** {@code namespace/name}. */
    @Override
    public String toString() {
        return namespace + "/" + name;
    }

    static Owner parse(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? null : new Owner(text.substring(0, slash), text.substring(slash + 1));
    }
}
