package io.kubundle.controller.service.internal;

/** A range of ports, both ends included, written {@code 30000-32767} as kube-apiserver's {@code --service-node-port-range}. */
record PortRange(int first, int last) {
    PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("not a port range: " + first + "-" + last);
        }
    }

    static PortRange parse(String text) {
        String[] ends = text.trim().split("-");
        try {
            if (ends.length == 2) {
                return new PortRange(Integer.parseInt(ends[0].trim()), Integer.parseInt(ends[1].trim()));
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("not a port range (first-last): " + text);
    }

    boolean contains(int port) {
        return port >= first && port <= last;
    }

    int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
