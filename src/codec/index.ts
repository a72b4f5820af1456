/** The wire codec: single-object framing, the generic Value encoding, and the envelopes. */
export {CodecError, type CodecErrorReason, ValueEncodingError} from './codec-errors.js';
export {crc64Avro, fingerprint} from './crc64.js';
export {
	decodeReply,
	decodeRequest,
	encodeReply,
	encodeRequest,
	peekReplyId,
	type ProgressData,
	type RemoteErrorData,
	type ReplyEnvelope,
	type ReplyStatus,
	type RequestEnvelope,
} from './envelopes.js';
export {frame, unframe} from './framing.js';
export {schemaDir, type WireSchema, wireSchemas} from './schemas.js';
export {
	type ArrowTableLike,
	decodeValue,
	type EncodedValue,
	encodeGenericValue,
	encodeValue,
	isValueRef,
	MAX_VALUE_DEPTH,
	type WireValue,
} from './value.js';
