package dev.mlbridge.client.data;

/**
 * Checks the framing of an Arrow IPC stream without an Arrow library: each message is
 * {@code FFFFFFFF}, a little-endian int32 metadata length, the flatbuffer {@code Message} and its
 * body of {@code Message.bodyLength} bytes; a zero length is the end-of-stream marker. A stream cut
 * anywhere, or one without its marker, is refused as readers in the other languages refuse it.
 */
final class ArrowStreams {
    private static final int CONTINUATION = 0xFFFFFFFF;
    /** Field index of {@code bodyLength} in the {@code Message} table (version, header_type, header, bodyLength). */
    private static final int BODY_LENGTH_FIELD = 3;

    private ArrowStreams() {}

    static void check(byte[] s) {
        int pos = 0;
        while (true) {
            if (pos == s.length) {
                throw new IllegalArgumentException("Arrow stream without its end-of-stream marker (ff ff ff ff 00 00 00 00)");
            }
            if (s.length - pos < 4) {
                throw cut(pos, s.length);
            }
            int length = int32(s, pos);
            pos += 4;
            if (length == CONTINUATION) {
                if (s.length - pos < 4) {
                    throw cut(pos, s.length);
                }
                length = int32(s, pos);
                pos += 4;
            }
            if (length == 0) {
                return;
            }
            if (length < 0 || length > s.length - pos) {
                throw cut(pos, s.length);
            }
            long body = bodyLength(s, pos, length);
            pos += length;
            if (body < 0 || body > s.length - pos) {
                throw cut(pos, s.length);
            }
            pos += (int) body;
        }
    }

    private static IllegalArgumentException cut(int pos, int length) {
        return new IllegalArgumentException("Arrow stream cut in a message at byte " + pos + " of " + length);
    }

    /** {@code Message.bodyLength} of the flatbuffer at {@code [start, start + length)}; 0 when absent. */
    private static long bodyLength(byte[] s, int start, int length) {
        int end = start + length;
        int table = start + int32(s, start, end);
        int vtable = table - int32(s, table, end);
        int vtableSize = uint16(s, vtable, end);
        int slot = 4 + 2 * BODY_LENGTH_FIELD;
        if (slot + 2 > vtableSize) {
            return 0;
        }
        int offset = uint16(s, vtable + slot, end);
        if (offset == 0) {
            return 0;
        }
        int at = table + offset;
        if (at < start || at + 8 > end) {
            throw new IllegalArgumentException("Arrow message metadata malformed at byte " + start);
        }
        return (long) int32(s, at) & 0xFFFFFFFFL | (long) int32(s, at + 4) << 32;
    }

    private static int int32(byte[] s, int at) {
        return s[at] & 0xFF | (s[at + 1] & 0xFF) << 8 | (s[at + 2] & 0xFF) << 16 | (s[at + 3] & 0xFF) << 24;
    }

    private static int int32(byte[] s, int at, int end) {
        if (at < 0 || at + 4 > end) {
            throw new IllegalArgumentException("Arrow message metadata malformed at byte " + at);
        }
        return int32(s, at);
    }

    private static int uint16(byte[] s, int at, int end) {
        if (at < 0 || at + 2 > end) {
            throw new IllegalArgumentException("Arrow message metadata malformed at byte " + at);
        }
        return s[at] & 0xFF | (s[at + 1] & 0xFF) << 8;
    }
}
