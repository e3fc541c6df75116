package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;

/** Lifecycle hooks the kubelet runs itself (an httpGet {@code preStop} to the pod's address). */
final class Hooks {
    private Hooks() {
    }

    static void httpGet(HTTPGetAction get, Container container, String podIp, Duration timeout) throws IOException {
        String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
        if (host == null) {
            throw new IOException("the pod has no address");
        }
        String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase(java.util.Locale.ROOT);
        String path = get.getPath() == null || get.getPath().isEmpty() ? "/" : get.getPath();
        HttpURLConnection connection = (HttpURLConnection) URI.create(scheme + "://" + host + ":"
                + Probers.port(get.getPort(), container) + path).toURL().openConnection();
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        connection.setConnectTimeout(millis);
        connection.setReadTimeout(millis);
        for (HTTPHeader header : get.getHttpHeaders()) {
            connection.setRequestProperty(header.getName(), header.getValue());
        }
        try {
            int code = connection.getResponseCode();
            if (code < 200 || code >= 400) {
                throw new IOException("HTTP lifecycle hook (" + path + ") failed with statuscode: " + code);
            }
        } finally {
            connection.disconnect();
        }
    }
}
