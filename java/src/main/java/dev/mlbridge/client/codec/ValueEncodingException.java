package dev.mlbridge.client.codec;

/** A Java value the generic {@code Value} encoding cannot carry; {@code path} names where it sits. */
public class ValueEncodingException extends IllegalArgumentException {
    private final String path;

    public ValueEncodingException(String path, String found, String hint) {
        super(path + ": cannot encode " + found + (hint == null ? "" : " (" + hint + ")"));
        this.path = path;
    }

    /** Where the value sits, e.g. {@code args.items[3].x}. */
    public String path() {
        return path;
    }
}
