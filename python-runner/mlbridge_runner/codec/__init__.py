"""Wire codec: CRC-64-AVRO, single-object framing, the generic Value encoding and the envelopes."""
