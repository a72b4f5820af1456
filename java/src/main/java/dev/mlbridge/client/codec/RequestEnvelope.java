package dev.mlbridge.client.codec;

import java.util.Map;

/**
 * One pipeline call as produced to the request topic ({@code schemas/request.avsc}).
 *
 * @param args        the arguments as an Avro body written with the schema {@code argsSchema} names
 * @param argsSchema  {@code crc64:<16 hex>} (little-endian fingerprint bytes) or {@code registry:<id>}
 * @param deadlineMs  epoch ms after which nobody waits for the answer; 0 means none
 * @param headers     trace context ({@code traceparent}, {@code tracestate}) and {@code idempotency-key}
 */
public record RequestEnvelope(
        String id,
        String pipeline,
        byte[] args,
        String argsSchema,
        String replyTo,
        long deadlineMs,
        int attempt,
        long sentAtMs,
        Map<String, String> headers) {}
