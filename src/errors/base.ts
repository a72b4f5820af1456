/**
 * Root of every error mlbridge throws. Callers tell errors apart with `instanceof` on the exported
 * subclasses or with the stable `code`; never by message text.
 */
export class MlbridgeError extends Error {
	/** Stable machine-readable code, shared with the Python runner (schemas/error-codes.json). */
	readonly code: string;
	/** The request this error belongs to, when there is one. */
	readonly requestId: string | undefined;
	/** Whether sending the same call again may succeed. */
	readonly retryable: boolean;

	constructor(
		message: string,
		options: {code: string; requestId?: string | undefined; retryable?: boolean; cause?: unknown},
	) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.name = new.target.name;
		this.code = options.code;
		this.requestId = options.requestId;
		this.retryable = options.retryable ?? false;
	}
}
