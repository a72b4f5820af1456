package dev.mlbridge.client.blobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The {@code file:///dir} blob store (a directory on a shared filesystem), laid out as the
 * TypeScript and Python stores lay it out: {@code <dir>/<name>}, written to {@code <name>.partial}
 * and renamed when complete, so a reader never sees half a blob. Only blobs of this directory are
 * read: a reference elsewhere is {@code BlobMissing}, so a reply cannot make the client read an
 * arbitrary file.
 */
public final class DirectoryBlobStore {
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final String url;
    private final Path dir;

    /** @throws IllegalArgumentException for a URL that is not {@code file:///…} */
    public DirectoryBlobStore(String url) {
        if (url == null || !url.startsWith("file:/")) {
            throw new IllegalArgumentException("Expected the blob store to be a file:///dir URL (the Java client reads no other store), got " + url);
        }
        this.url = url;
        this.dir = Path.of(URI.create(url)).toAbsolutePath().normalize();
    }

    public String url() {
        return url;
    }

    /** Write {@code body} as blob {@code name}; its reference without the inner schema. */
    public BlobRef put(String name, byte[] body, String schema) {
        Path path = dir.resolve(name);
        String uri = path.toUri().toString();
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Expected a blob name of [A-Za-z0-9._-], got " + name);
        }
        try {
            Files.createDirectories(dir);
            Path partial = dir.resolve(name + ".partial");
            try (OutputStream out = Files.newOutputStream(partial)) {
                out.write(body);
            }
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BlobStoreException("BlobStoreUnreachable", uri, "cannot write: " + e, e);
        }
        return new BlobRef(uri, body.length, sha256(body), schema);
    }

    /** The blob's bytes, checked against the reference's length and SHA-256. */
    public byte[] get(BlobRef ref) {
        Path path = pathOf(ref.uri());
        byte[] body;
        try (InputStream in = Files.newInputStream(path)) {
            long actual = Files.size(path);
            if (actual != ref.size()) {
                throw new BlobStoreException("BlobCorrupt", ref.uri(), actual + " bytes, the reference says " + ref.size(), null);
            }
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, ref.size() + 1));
        } catch (NoSuchFileException e) {
            throw new BlobStoreException("BlobMissing", ref.uri(), "no such blob", e);
        } catch (IOException e) {
            throw new BlobStoreException("BlobStoreUnreachable", ref.uri(), e.toString(), e);
        }
        if (body.length != ref.size()) {
            throw new BlobStoreException("BlobCorrupt", ref.uri(), "ends after " + body.length + " of " + ref.size() + " bytes", null);
        }
        String digest = sha256(body);
        if (!digest.equals(ref.sha256())) {
            throw new BlobStoreException("BlobCorrupt", ref.uri(), "SHA-256 " + digest + ", the reference says " + ref.sha256(), null);
        }
        return body;
    }

    /** Remove the blob (nothing when it is gone already). */
    public void delete(String uri) {
        try {
            Files.deleteIfExists(pathOf(uri));
        } catch (IOException | BlobStoreException e) {
            // The sweep removes what is left.
        }
    }

    private Path pathOf(String uri) {
        Path path;
        try {
            path = Path.of(URI.create(uri)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new BlobStoreException("BlobMissing", uri, "not a file:// URI", e);
        }
        if (!dir.equals(path.getParent()) || !SAFE_NAME.matcher(path.getFileName().toString()).matches()) {
            throw new BlobStoreException("BlobMissing", uri, "not a blob of the store " + url, null);
        }
        return path;
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
