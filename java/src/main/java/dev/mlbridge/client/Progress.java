package dev.mlbridge.client;

/**
 * One progress report of a running call. It arrives as a PROGRESS reply with the same request id
 * as the final reply; {@code total} is null when the pipeline did not give one.
 */
public record Progress(String requestId, double current, Double total, String message) {}
