package dev.mlbridge.client.errors;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code UNSUPPORTED_ENVELOPE}: the request's envelope fingerprint is none of the versions the
 * answering runner reads ({@code schemas/versions/index.json}): a client newer than the runner, or
 * a frame of no published version. The request was dead-lettered; not retryable.
 *
 * <p>The runner states the fingerprint and its versions in a fixed form ({@code fingerprint <16 hex>},
 * {@code it reads v<n> <16 hex>[ (current)], …}), read here; a part the message lacks reads as
 * {@code ""} / empty / -1.
 */
public class UnsupportedEnvelopeException extends RemoteException {
    private static final Pattern FINGERPRINT = Pattern.compile("fingerprint ([0-9a-f]{16})");
    private static final Pattern VERSION = Pattern.compile("v(\\d+) ([0-9a-f]{16})");
    private static final Pattern CURRENT = Pattern.compile("v(\\d+) [0-9a-f]{16} \\(current\\)");

    /** One envelope version the runner reads. */
    public record KnownVersion(int version, String fingerprint) {}

    private final String fingerprint;
    private final List<KnownVersion> knownVersions;
    private final int runnerVersion;

    public UnsupportedEnvelopeException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
        String message = details.message() == null ? "" : details.message();
        Matcher f = FINGERPRINT.matcher(message);
        this.fingerprint = f.find() ? f.group(1) : "";
        int reads = message.indexOf("it reads ");
        List<KnownVersion> known = new ArrayList<>();
        if (reads >= 0) {
            Matcher v = VERSION.matcher(message.substring(reads));
            while (v.find()) {
                known.add(new KnownVersion(Integer.parseInt(v.group(1)), v.group(2)));
            }
        }
        this.knownVersions = List.copyOf(known);
        Matcher c = CURRENT.matcher(message);
        this.runnerVersion = c.find() ? Integer.parseInt(c.group(1)) : -1;
    }

    /** The request's envelope fingerprint (the 8 bytes after {@code C3 01}, hex). */
    public String fingerprint() {
        return fingerprint;
    }

    /** The versions the runner reads, oldest first. */
    public List<KnownVersion> knownVersions() {
        return knownVersions;
    }

    /** The runner's current request version; -1 when the message does not say. */
    public int runnerVersion() {
        return runnerVersion;
    }
}
