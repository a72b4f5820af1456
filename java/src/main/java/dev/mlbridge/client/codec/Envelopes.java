package dev.mlbridge.client.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Request and reply envelopes as single-object frames, through Avro's generic datum writer and
 * reader with the schemas of {@code schemas/}.
 */
public final class Envelopes {
    private Envelopes() {}

    public static byte[] encodeRequest(RequestEnvelope r) {
        Schema schema = WireSchemas.REQUEST.schema();
        GenericData.Record record = new GenericData.Record(schema);
        record.put("id", r.id());
        record.put("pipeline", r.pipeline());
        record.put("args", ByteBuffer.wrap(r.args()));
        record.put("argsSchema", r.argsSchema());
        record.put("replyTo", r.replyTo());
        record.put("deadlineMs", r.deadlineMs());
        record.put("attempt", r.attempt());
        record.put("sentAtMs", r.sentAtMs());
        record.put("headers", r.headers());
        return Framing.frame(WireSchemas.REQUEST, write(schema, record));
    }

    public static RequestEnvelope decodeRequest(byte[] data) {
        GenericRecord r = read(WireSchemas.REQUEST, data);
        Map<String, String> headers = new LinkedHashMap<>();
        ((Map<?, ?>) r.get("headers")).forEach((k, v) -> headers.put(k.toString(), v.toString()));
        return new RequestEnvelope(
                str(r, "id"), str(r, "pipeline"), bytes(r.get("args")), str(r, "argsSchema"), str(r, "replyTo"),
                (Long) r.get("deadlineMs"), (Integer) r.get("attempt"), (Long) r.get("sentAtMs"), headers);
    }

    public static byte[] encodeReply(ReplyEnvelope r) {
        Schema schema = WireSchemas.REPLY.schema();
        GenericData.Record record = new GenericData.Record(schema);
        record.put("id", r.id());
        record.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(), r.status().name()));
        record.put("result", ByteBuffer.wrap(r.result()));
        record.put("resultSchema", r.resultSchema());
        record.put("error", r.error() == null ? null : errorRecord(schema, r.error()));
        if (r.progress() != null) {
            Schema progress = branch(schema.getField("progress").schema());
            GenericData.Record p = new GenericData.Record(progress);
            p.put("current", r.progress().current());
            p.put("total", r.progress().total());
            p.put("message", r.progress().message());
            record.put("progress", p);
        }
        record.put("runner", r.runner());
        GenericData.Record timings = new GenericData.Record(schema.getField("timings").schema());
        timings.put("receivedAtMs", r.timings().receivedAtMs());
        timings.put("startedAtMs", r.timings().startedAtMs());
        timings.put("finishedAtMs", r.timings().finishedAtMs());
        record.put("timings", timings);
        return Framing.frame(WireSchemas.REPLY, write(schema, record));
    }

    public static ReplyEnvelope decodeReply(byte[] data) {
        GenericRecord r = read(WireSchemas.REPLY, data);
        GenericRecord e = (GenericRecord) r.get("error");
        ReplyEnvelope.Error error = null;
        if (e != null) {
            List<ReplyEnvelope.Cause> causes = new ArrayList<>();
            for (Object c : (List<?>) e.get("causes")) {
                GenericRecord cause = (GenericRecord) c;
                causes.add(new ReplyEnvelope.Cause(str(cause, "type"), str(cause, "message")));
            }
            error = new ReplyEnvelope.Error(str(e, "code"), str(e, "type"), str(e, "message"), str(e, "traceback"),
                    (Boolean) e.get("retryable"), List.copyOf(causes));
        }
        GenericRecord p = (GenericRecord) r.get("progress");
        ReplyEnvelope.Progress progress = p == null ? null
                : new ReplyEnvelope.Progress((Double) p.get("current"), (Double) p.get("total"), str(p, "message"));
        GenericRecord t = (GenericRecord) r.get("timings");
        return new ReplyEnvelope(
                str(r, "id"),
                ReplyEnvelope.Status.valueOf(r.get("status").toString()),
                bytes(r.get("result")),
                str(r, "resultSchema"),
                error,
                progress,
                str(r, "runner"),
                new ReplyEnvelope.Timings((Long) t.get("receivedAtMs"), (Long) t.get("startedAtMs"), (Long) t.get("finishedAtMs")));
    }

    /**
     * The body of a frame of {@code schema}, read as a generic record (any wire schema). A request or
     * reply frame of another known envelope version is read by Avro schema resolution into the
     * current one; an unknown version is refused naming its fingerprint and the known versions.
     */
    public static GenericRecord read(WireSchema schema, byte[] data) {
        Schema writer = schema.schema();
        byte[] body;
        try {
            body = Framing.unframe(schema, data);
        } catch (CodecException e) {
            String envelope = schema == WireSchemas.REQUEST ? "request" : schema == WireSchemas.REPLY ? "reply" : null;
            if (!"unknown-fingerprint".equals(e.reason()) || envelope == null) {
                throw e;
            }
            EnvelopeVersions.Version version = EnvelopeVersions.find(envelope, data);
            if (version == null) {
                throw new CodecException("unknown-fingerprint", envelope + " envelope fingerprint "
                        + java.util.HexFormat.of().formatHex(data, 2, Framing.HEADER_LENGTH) + " is not a version this reader knows ("
                        + EnvelopeVersions.describe(envelope) + "); schemas/versions/index.json lists the published versions");
            }
            writer = version.schema();
            body = java.util.Arrays.copyOfRange(data, Framing.HEADER_LENGTH, data.length);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body, null);
        try {
            GenericRecord record = new GenericDatumReader<GenericRecord>(writer, schema.schema()).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new CodecException("bad-body", "Trailing bytes after the " + schema.schema().getName());
            }
            return record;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CodecException c) {
                throw c;
            }
            throw new CodecException("bad-body", "Not a " + schema.schema().getName() + " body: " + e, e);
        }
    }

    /**
     * The id of a reply frame of any version, known or not: every reply version keeps {@code id}
     * first, so a client can fail the call a reply it cannot read belongs to. Empty when the frame
     * is too short or the id is not a string there.
     */
    public static java.util.Optional<String> replyId(byte[] frame) {
        if (frame.length <= Framing.HEADER_LENGTH) {
            return java.util.Optional.empty();
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(frame, Framing.HEADER_LENGTH, frame.length - Framing.HEADER_LENGTH, null);
        try {
            String id = decoder.readString();
            return id.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(id);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The Avro body of a generic datum of {@code schema}. */
    public static byte[] write(Schema schema, Object datum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new GenericDatumWriter<Object>(schema).write(datum, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static GenericData.Record errorRecord(Schema reply, ReplyEnvelope.Error error) {
        Schema schema = branch(reply.getField("error").schema());
        GenericData.Record record = new GenericData.Record(schema);
        record.put("code", error.code());
        record.put("type", error.type());
        record.put("message", error.message());
        record.put("traceback", error.traceback());
        record.put("retryable", error.retryable());
        Schema causeSchema = schema.getField("causes").schema().getElementType();
        List<GenericData.Record> causes = new ArrayList<>();
        for (ReplyEnvelope.Cause cause : error.causes()) {
            GenericData.Record c = new GenericData.Record(causeSchema);
            c.put("type", cause.type());
            c.put("message", cause.message());
            causes.add(c);
        }
        record.put("causes", causes);
        return record;
    }

    /** The non-null branch of a {@code ["null", X]} union. */
    private static Schema branch(Schema union) {
        return union.getTypes().get(1);
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
