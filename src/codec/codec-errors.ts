import {MlbridgeError} from '../errors/base.js';

/** Why bytes could not be turned back into a message. */
export type CodecErrorReason =
	| 'too-short'
	| 'bad-magic'
	| 'unknown-fingerprint'
	| 'malformed-body'
	| 'trailing-bytes'
	| 'not-encodable';

/**
 * Bytes that are not a valid frame or Avro body for the expected schema, or a value that cannot be
 * written. Tell the cases apart by `reason`, never by message text.
 */
export class CodecError extends MlbridgeError {
	/** What went wrong, as a stable string. */
	readonly reason: CodecErrorReason;

	constructor(
		reason: CodecErrorReason,
		message: string,
		options: {code?: string; requestId?: string | undefined; cause?: unknown} = {},
	) {
		super(message, {
			code: options.code ?? 'CODEC_ERROR',
			requestId: options.requestId,
			cause: options.cause,
		});
		this.reason = reason;
	}
}

/**
 * A value that the generic Value encoding cannot hold: `undefined`, functions, symbols, class
 * instances, cycles, integers beyond int64, or nesting deeper than the limit.
 */
export class ValueEncodingError extends CodecError {
	/** Where in the value the problem is, e.g. `args.items[3].x`. */
	readonly path: string;
	/** What was found there, e.g. `a Date` or `undefined`. */
	readonly found: string;

	constructor(path: string, found: string, hint?: string) {
		super(
			'not-encodable',
			`Cannot encode ${path}: found ${found}${hint === undefined ? '' : ` (${hint})`}`,
			{code: 'VALUE_NOT_ENCODABLE'},
		);
		this.path = path;
		this.found = found;
	}
}
