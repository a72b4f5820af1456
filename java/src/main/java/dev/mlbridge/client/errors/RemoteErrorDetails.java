package dev.mlbridge.client.errors;

import dev.mlbridge.client.codec.ReplyEnvelope;
import java.util.List;

/**
 * The structured failure a reply carries ({@code RemoteError} in {@code schemas/reply.avsc}).
 * {@code type} is the Python exception's name: bare for built-ins ({@code ValueError}),
 * module-qualified otherwise ({@code mypkg.errors.DataError}).
 */
public record RemoteErrorDetails(String code, String type, String message, String traceback, boolean retryable, List<RemoteCause> causes) {
    public RemoteErrorDetails {
        causes = List.copyOf(causes);
    }

    /** The details a reply's (or a job record's) RemoteError carries. */
    public static RemoteErrorDetails of(ReplyEnvelope.Error error) {
        List<RemoteCause> causes = error.causes().stream().map(c -> new RemoteCause(c.type(), c.message())).toList();
        return new RemoteErrorDetails(error.code(), error.type(), error.message(), error.traceback(), error.retryable(), causes);
    }

    /** Details of a problem the client found itself (nothing was sent). */
    public static RemoteErrorDetails local(String code, String type, String message) {
        return new RemoteErrorDetails(code, type, message, "", false, List.of());
    }
}
