package dev.mlbridge.client.errors;

/** One link of the remote exception's {@code __cause__}/{@code __context__} chain, outermost first. */
public record RemoteCause(String type, String message) {}
