package io.kubundle.api.loadbalancer;

/** A provider cannot give or remove a Service's load balancer; the message is shown to the user as an event. */
public class LoadBalancerException extends Exception {
    private static final long serialVersionUID = 1L;

    public LoadBalancerException(String message) {
        super(message);
    }

    public LoadBalancerException(String message, Throwable cause) {
        super(message, cause);
    }
}
