package dev.mlbridge.client.codec;

/** An Avro body and the ref of the schema it was written with ({@code argsSchema}/{@code resultSchema}). */
public record EncodedBody(byte[] body, String ref) {}
