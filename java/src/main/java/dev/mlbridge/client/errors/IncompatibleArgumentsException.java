package dev.mlbridge.client.errors;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code INCOMPATIBLE_ARGUMENTS}: the call carries a field that the answering runner's version of
 * the pipeline does not have, with a value other than that field's default, so reading it there
 * would have dropped the argument. Retryable: runners hand such a call on to a runner of a version
 * that has the field; this error means none could take it in time.
 *
 * <p>The runner states the field and both schemas in a fixed form ({@code field '<path>'},
 * {@code client schema <ref> (version <n|unknown>)}, {@code runner schema <ref> (version <n>)}),
 * read here; a part the message lacks reads as {@code ""} (or -1 for a version).
 */
public class IncompatibleArgumentsException extends RemoteException {
    private static final Pattern FIELD = Pattern.compile("field '([^']*)'");
    private static final Pattern CLIENT = Pattern.compile("client schema (\\S+) \\(version (\\d+|unknown)\\)");
    private static final Pattern RUNNER = Pattern.compile("runner schema (\\S+) \\(version (\\d+)\\)");

    private final String field;
    private final String clientSchema;
    private final int clientVersion;
    private final String runnerSchema;
    private final int runnerVersion;

    public IncompatibleArgumentsException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
        String message = details.message() == null ? "" : details.message();
        Matcher f = FIELD.matcher(message);
        this.field = f.find() ? f.group(1) : "";
        Matcher c = CLIENT.matcher(message);
        boolean hasClient = c.find();
        this.clientSchema = hasClient ? c.group(1) : "";
        this.clientVersion = hasClient && !c.group(2).equals("unknown") ? Integer.parseInt(c.group(2)) : -1;
        Matcher r = RUNNER.matcher(message);
        boolean hasRunner = r.find();
        this.runnerSchema = hasRunner ? r.group(1) : "";
        this.runnerVersion = hasRunner ? Integer.parseInt(r.group(2)) : -1;
    }

    /** Path of the field that would be dropped, e.g. {@code c} or {@code config.momentum}. */
    public String field() {
        return field;
    }

    /** The ref ({@code crc64:…}) of the schema the call was written with. */
    public String clientSchema() {
        return clientSchema;
    }

    /** The catalogue version of that schema; -1 when the runner did not know it. */
    public int clientVersion() {
        return clientVersion;
    }

    /** The ref of the answering runner's args schema. */
    public String runnerSchema() {
        return runnerSchema;
    }

    /** The answering runner's version of the pipeline; -1 when not stated. */
    public int runnerVersion() {
        return runnerVersion;
    }
}
