package io.kubundle.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.auth.Authenticator;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceKind;

/**
 * Bootstrap tokens ({@link BootstrapToken}), as Kubernetes' bootstrap token authenticator: a
 * bearer token {@code <id>.<secret>} whose Secret {@code kube-system/bootstrap-token-<id>} is a
 * valid, unexpired token with that secret is the user {@code system:bootstrap:<id>} in
 * {@code system:bootstrappers} and the token's extra groups. The Secrets come from an informer of
 * {@code kube-system}'s Secrets of the bootstrap token type only (no store read per request, and
 * no other Secret held): a token created, changed or deleted counts within moments. Until the informer's first list, no token is accepted. A token that does not
 * look like a bootstrap token, or is unknown, expired or wrong, is not recognised (the request is
 * then 401, unless another authenticator knows the token), as in Kubernetes.
 */
@Component(service = Authenticator.class, property = {
        Authenticator.NAME_PROPERTY + "=bootstrap-token", Constants.SERVICE_RANKING + ":Integer=150" })
public final class BootstrapTokenAuthenticator implements Authenticator {
    static final ResourceKind<ObjectNode> SECRETS = new ResourceKind<>("", "v1", "secrets", "Secret", true, ObjectNode.class);
    private static final System.Logger LOG = System.getLogger(BootstrapTokenAuthenticator.class.getName());

    private final Function<String, Optional<JsonNode>> secrets;
    private final Clock clock;
    private final ControllerHost host;
    private volatile Informer<ObjectNode> informer;

    @Activate
    public BootstrapTokenAuthenticator(@Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)") ApiTransport transport) {
        this.clock = Clock.systemUTC();
        this.secrets = name -> {
            Informer<ObjectNode> current = informer;
            return current == null ? Optional.empty() : current.get(BootstrapToken.NAMESPACE, name).map(JsonNode.class::cast);
        };
        this.host = new ControllerHost("bootstrap-tokens", () -> new ControllerHost.Controller() {
            private final Informer<ObjectNode> watching = new Informer<>(new KubeClient(transport).resources(SECRETS),
                    BootstrapToken.NAMESPACE, ListOptions.fields("type=" + BootstrapToken.SECRET_TYPE), Duration.ZERO);

            @Override
            public void start() throws Exception {
                watching.start();
                if (!watching.awaitSynced(Duration.ofSeconds(30))) {
                    throw new IllegalStateException("the kube-system Secrets did not sync in 30 s");
                }
                informer = watching;
            }

            @Override
            public void close() {
                watching.close();
            }
        });
    }

    /** For tests: Secrets by name in kube-system, and the clock that tells expiry. */
    BootstrapTokenAuthenticator(Function<String, Optional<JsonNode>> secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
        this.host = null;
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
        }
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        Optional<String[]> presented = credentials.bearerToken().flatMap(BootstrapToken::split);
        if (presented.isEmpty()) {
            return Optional.empty();
        }
        String id = presented.get()[0];
        Optional<JsonNode> secret = secrets.apply(BootstrapToken.NAME_PREFIX + id);
        if (secret.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "no bootstrap token with id {0}", id);
            return Optional.empty();
        }
        BootstrapToken.Token found = BootstrapToken.fromSecret(secret.get());
        if (found.token() == null) {
            LOG.log(System.Logger.Level.DEBUG, "bootstrap token {0} refused: {1}", id, found.refusal());
            return Optional.empty();
        }
        BootstrapToken token = found.token();
        if (!token.id().equals(id) || !token.secretMatches(presented.get()[1])) {
            LOG.log(System.Logger.Level.DEBUG, "bootstrap token {0}: wrong secret", id);
            return Optional.empty();
        }
        if (token.expiredAt(clock.instant())) {
            LOG.log(System.Logger.Level.DEBUG, "bootstrap token {0} expired at {1}", id, token.expiration());
            return Optional.empty();
        }
        List<String> groups = new ArrayList<>();
        groups.add(BootstrapToken.GROUP);
        groups.addAll(token.extraGroups());
        groups.add(UserInfo.ALL_AUTHENTICATED);
        return Optional.of(new UserInfo(token.userName(), "", groups, Map.of()));
    }
}
