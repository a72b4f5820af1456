package dev.mlbridge.client;

import dev.mlbridge.client.blobs.BlobRef;
import dev.mlbridge.client.blobs.BlobStoreException;
import dev.mlbridge.client.blobs.DirectoryBlobStore;
import dev.mlbridge.client.codec.EncodedBody;
import dev.mlbridge.client.codec.WireSchemas;
import dev.mlbridge.client.errors.BlobUnavailableException;
import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import java.util.List;

/**
 * The client's side of the claim check (docs/protocol.md, "Large payloads by reference"): args above
 * the threshold are written to the store and the request carries a BlobRef; a result that arrives
 * as a BlobRef is fetched, verified and deleted. Failures become BlobUnavailableException.
 */
final class ClaimCheck {
    private final DirectoryBlobStore store;
    private final long thresholdBytes;

    /** @param storeUrl null: no store (args inline; a result by reference fails, saying what to set) */
    ClaimCheck(String storeUrl, long thresholdBytes) {
        this.store = storeUrl == null ? null : new DirectoryBlobStore(storeUrl);
        this.thresholdBytes = thresholdBytes;
    }

    /** The args to send: as they are, or a reference to the blob {@code <id>.args} (its uri returned to delete later). */
    Offloaded offload(String id, String pipeline, EncodedBody args) {
        if (store == null || args.body().length <= thresholdBytes) {
            return new Offloaded(args, null);
        }
        try {
            BlobRef ref = store.put(id + ".args", args.body(), args.ref());
            return new Offloaded(new EncodedBody(ref.encode(), WireSchemas.BLOB_REF.ref()), ref.uri());
        } catch (BlobStoreException e) {
            throw unavailable(id, pipeline, e.kind(), e.getMessage(), "local");
        }
    }

    record Offloaded(EncodedBody args, String blobUri) {}

    /** Forget an args blob once its call has ended (any reply, a timeout, a cancellation). */
    void release(String blobUri) {
        if (blobUri != null && store != null) {
            store.delete(blobUri);
        }
    }

    /**
     * The body a BlobRef stands for, with its ref. A result blob is deleted once read; an args blob
     * ({@code keep}: a job's arguments read back) stays, as a retry re-reads it.
     */
    EncodedBody fetch(String id, String pipeline, String runner, byte[] refBody, boolean keep) {
        BlobRef ref;
        try {
            ref = BlobRef.decode(refBody);
        } catch (IllegalArgumentException e) {
            throw unavailable(id, pipeline, "BlobMissing", e.getMessage(), runner);
        }
        if (store == null) {
            throw unavailable(id, pipeline, "BlobStoreUnreachable", "The result came by reference (" + ref.uri()
                    + ") and this client has no blob store: set ClientOptions.blobStore or MLBRIDGE_BLOB_STORE to the runners' store", runner);
        }
        try {
            byte[] body = store.get(ref);
            if (!keep) {
                store.delete(ref.uri());
            }
            return new EncodedBody(body, ref.schema());
        } catch (BlobStoreException e) {
            throw unavailable(id, pipeline, e.kind(), e.getMessage(), runner);
        }
    }

    private static BlobUnavailableException unavailable(String id, String pipeline, String kind, String message, String runner) {
        return new BlobUnavailableException(id, pipeline, new RemoteErrorDetails(ErrorCodes.BLOB_UNAVAILABLE, kind, message, "", false, List.of()), runner);
    }
}
