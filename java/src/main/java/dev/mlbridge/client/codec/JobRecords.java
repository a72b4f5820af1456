package dev.mlbridge.client.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** {@link JobRecord}s as single-object frames of {@code schemas/job.avsc}. */
public final class JobRecords {
    private JobRecords() {}

    public static byte[] encode(JobRecord r) {
        Schema schema = WireSchemas.JOB.schema();
        GenericData.Record out = new GenericData.Record(schema);
        out.put("id", r.id());
        out.put("subject", new GenericData.EnumSymbol(schema.getField("subject").schema(), r.subject().name()));
        out.put("state", new GenericData.EnumSymbol(schema.getField("state").schema(), r.state().name()));
        out.put("pipeline", r.pipeline());
        out.put("args", ByteBuffer.wrap(r.args()));
        out.put("argsSchema", r.argsSchema());
        out.put("attempt", r.attempt());
        out.put("maxAttempts", r.maxAttempts());
        out.put("runner", r.runner());
        out.put("submittedBy", r.submittedBy());
        out.put("submittedAtMs", r.submittedAtMs());
        out.put("startedAtMs", r.startedAtMs());
        out.put("heartbeatAtMs", r.heartbeatAtMs());
        out.put("finishedAtMs", r.finishedAtMs());
        out.put("updatedAtMs", r.updatedAtMs());
        out.put("progressSeq", r.progressSeq());
        if (r.progress() != null) {
            GenericData.Record p = new GenericData.Record(branch(schema, "progress"));
            p.put("current", r.progress().current());
            p.put("total", r.progress().total());
            p.put("message", r.progress().message());
            p.put("atMs", r.progress().atMs());
            out.put("progress", p);
        }
        out.put("checkpoint", r.checkpoint() == null ? null : ByteBuffer.wrap(r.checkpoint()));
        out.put("result", ByteBuffer.wrap(r.result()));
        out.put("resultSchema", r.resultSchema());
        if (r.error() != null) {
            Schema errorSchema = branch(schema, "error");
            GenericData.Record e = new GenericData.Record(errorSchema);
            e.put("code", r.error().code());
            e.put("type", r.error().type());
            e.put("message", r.error().message());
            e.put("traceback", r.error().traceback());
            e.put("retryable", r.error().retryable());
            Schema causeSchema = errorSchema.getField("causes").schema().getElementType();
            List<GenericData.Record> causes = new ArrayList<>();
            for (ReplyEnvelope.Cause cause : r.error().causes()) {
                GenericData.Record c = new GenericData.Record(causeSchema);
                c.put("type", cause.type());
                c.put("message", cause.message());
                causes.add(c);
            }
            e.put("causes", causes);
            out.put("error", e);
        }
        return Framing.frame(WireSchemas.JOB, Envelopes.write(schema, out));
    }

    public static JobRecord decode(byte[] data) {
        GenericRecord r = Envelopes.read(WireSchemas.JOB, data);
        GenericRecord p = (GenericRecord) r.get("progress");
        JobRecord.Progress progress = p == null ? null
                : new JobRecord.Progress((Double) p.get("current"), (Double) p.get("total"), str(p, "message"), (Long) p.get("atMs"));
        GenericRecord e = (GenericRecord) r.get("error");
        ReplyEnvelope.Error error = null;
        if (e != null) {
            List<ReplyEnvelope.Cause> causes = new ArrayList<>();
            for (Object c : (List<?>) e.get("causes")) {
                causes.add(new ReplyEnvelope.Cause(str((GenericRecord) c, "type"), str((GenericRecord) c, "message")));
            }
            error = new ReplyEnvelope.Error(str(e, "code"), str(e, "type"), str(e, "message"), str(e, "traceback"),
                    (Boolean) e.get("retryable"), List.copyOf(causes));
        }
        Object checkpoint = r.get("checkpoint");
        return new JobRecord(str(r, "id"),
                JobRecord.Subject.valueOf(r.get("subject").toString()),
                JobRecord.State.valueOf(r.get("state").toString()),
                str(r, "pipeline"), bytes(r.get("args")), str(r, "argsSchema"),
                (Integer) r.get("attempt"), (Integer) r.get("maxAttempts"), str(r, "runner"), str(r, "submittedBy"),
                (Long) r.get("submittedAtMs"), (Long) r.get("startedAtMs"), (Long) r.get("heartbeatAtMs"),
                (Long) r.get("finishedAtMs"), (Long) r.get("updatedAtMs"), (Integer) r.get("progressSeq"), progress,
                checkpoint == null ? null : bytes(checkpoint), bytes(r.get("result")), str(r, "resultSchema"), error);
    }

    private static Schema branch(Schema record, String field) {
        return record.getField(field).schema().getTypes().get(1);
    }

    private static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }

    private static byte[] bytes(Object v) {
        ByteBuffer buffer = ((ByteBuffer) v).duplicate();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
