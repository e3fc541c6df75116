package io.kubundle.api.store;

/** The revision asked for has been compacted away (Kubernetes answers 410 Gone). */
public class CompactedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long compactedRevision;

    public CompactedException(long requested, long compactedRevision) {
        super("revision " + requested + " has been compacted (compacted up to " + compactedRevision + ")");
        this.compactedRevision = compactedRevision;
    }

    public long compactedRevision() {
        return compactedRevision;
    }
}
