package io.kubundle.security.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.kubundle.api.auth.Authenticator;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;

/**
 * Bearer tokens listed in {@code <data-dir>/tokens.csv} (see {@link TokenFile}). The file is read
 * again whenever it changes (one stat per request); while it is missing or unreadable no token is
 * accepted. An unknown token is not this authenticator's to refuse: the next one may know it.
 */
@Component(service = Authenticator.class, property = {
        Authenticator.NAME_PROPERTY + "=token", Constants.SERVICE_RANKING + ":Integer=100" })
public final class TokenFileAuthenticator implements Authenticator {
    static final String FILE_NAME = "tokens.csv";
    private static final System.Logger LOG = System.getLogger(TokenFileAuthenticator.class.getName());

    /** What identifies a version of the file; replacing it by rename changes the file key. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static final Stamp ABSENT = new Stamp(null, -1, null);
    }

    private record Snapshot(Stamp stamp, TokenFile tokens) {
    }

    private final Path file;
    private final Object reloadLock = new Object();
    private volatile Snapshot snapshot = new Snapshot(Stamp.ABSENT, TokenFile.EMPTY);

    @Activate
    public TokenFileAuthenticator(BundleContext context) {
        this(FrameworkProperties.dataDir(context).resolve(FILE_NAME));
    }

    TokenFileAuthenticator(Path file) {
        this.file = file;
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        Optional<String> token = credentials.bearerToken();
        return token.isEmpty() ? Optional.empty() : tokens().find(token.get());
    }

    private TokenFile tokens() {
        Stamp stamp = stamp();
        Snapshot current = snapshot;
        if (current.stamp.equals(stamp)) {
            return current.tokens;
        }
        synchronized (reloadLock) {
            current = snapshot;
            if (!current.stamp.equals(stamp)) {
                // stamped before reading: a change made while reading shows as another stamp next time
                current = new Snapshot(stamp, stamp == Stamp.ABSENT ? TokenFile.EMPTY : read());
                snapshot = current;
            }
            return current.tokens;
        }
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        } catch (IOException e) {
            return Stamp.ABSENT;
        }
    }

    private TokenFile read() {
        try {
            TokenFile tokens = TokenFile.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            for (String problem : tokens.problems()) {
                LOG.log(Level.WARNING, problem);
            }
            LOG.log(Level.DEBUG, "read {0} tokens from {1}", tokens.size(), file);
            return tokens;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read {0}, so no token is accepted: {1}", file, e);
            return TokenFile.EMPTY;
        }
    }
}
