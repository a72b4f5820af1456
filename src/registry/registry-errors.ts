import {MlbridgeError} from '../errors/base.js';

/** Why the schema registry could not serve a request, as a stable string. */
export type SchemaRegistryErrorReason =
	/** No answer, a transport failure, a 5xx, or an answer that is not a registry's. */
	| 'unavailable'
	/** The registry does not know that schema id (or subject). */
	| 'schema-not-found'
	/** The registry refused the schema: incompatible with the subject's earlier versions, or invalid. */
	| 'rejected'
	/** Credentials missing or refused (401/403). */
	| 'unauthorized'
	/** The registry answered with a schema that is not valid Avro JSON. */
	| 'bad-schema';

/**
 * A failure talking to the Confluent-compatible schema registry (client option `schemaRegistry`).
 * Tell the cases apart by `reason`; `retryable` is true for `unavailable`.
 */
export class SchemaRegistryError extends MlbridgeError {
	readonly reason: SchemaRegistryErrorReason;
	/** Base URL of the registry. */
	readonly host: string;
	/** HTTP status when the registry answered one. */
	readonly status: number | undefined;
	/** The schema id or subject the request was about. */
	readonly schemaId: number | undefined;
	readonly subject: string | undefined;

	constructor(
		reason: SchemaRegistryErrorReason,
		message: string,
		options: {
			host: string;
			status?: number | undefined;
			schemaId?: number | undefined;
			subject?: string | undefined;
			requestId?: string | undefined;
			cause?: unknown;
		},
	) {
		super(message, {
			code: 'SCHEMA_REGISTRY_ERROR',
			requestId: options.requestId,
			retryable: reason === 'unavailable',
			cause: options.cause,
		});
		this.reason = reason;
		this.host = options.host;
		this.status = options.status;
		this.schemaId = options.schemaId;
		this.subject = options.subject;
	}
}
